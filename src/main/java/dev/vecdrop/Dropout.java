package dev.vecdrop;

import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.kernel.KernelSelector;
import dev.vecdrop.scalar.ScalarDropoutKernels;
import java.util.Arrays;

/**
 * Dropout with drop probability {@code p} over float32 regions {@code (array, offset, length)}: training
 * forward, eval, backward from a stored bit mask or by regenerating the mask, and the mask alone.
 *
 * <p>Element {@code i} of a call is element {@code e = streamOffset + i} of the mask stream of {@code seed}
 * (see {@link MaskStream}), so results do not depend on the ISA, vector width, how a tensor is cut into
 * calls, or how many threads make them. A kept element is {@code x * s} with {@code s = (float) (1 / (1 - p))}
 * ({@link Scaling#INVERTED}) or {@code x} ({@link Scaling#CLASSIC}); where {@code s} rounds to exactly 1 the
 * element is passed through bit for bit. A dropped element is {@code +0.0f}, whatever {@code x} was, NaN and
 * infinities included (PyTorch's {@code x * mask} would keep a NaN). Masks are packed bits: bit {@code i & 63}
 * of word {@code maskOffset + (i >>> 6)} is element {@code i} of the call, LSB first; every word the call
 * covers is written whole, bits past {@code length} are zero.
 *
 * <p>Every method checks all its arguments first and throws before writing anything: a
 * {@link NullPointerException} for a null array, {@link IndexOutOfBoundsException} for a region that does not
 * fit, {@link IllegalArgumentException} for a negative length, a bad stream offset, or two regions of one
 * array that overlap without being the same (in-place, same array and offset, is allowed).
 *
 * <p>Thread-safety: immutable; one instance may be used by any number of threads on disjoint outputs.
 * Allocation: none, once the JIT has compiled the kernels.
 */
public final class Dropout {

    private final double p;
    private final Scaling scaling;
    private final long threshold;
    private final float trainScale;
    private final boolean scaled;
    private final float evalScale;
    private final DropoutKernels kernels;

    private Dropout(double p, Scaling scaling, DropoutKernels kernels) {
        this.threshold = MaskStream.threshold(p); // validates p
        this.p = p;
        this.scaling = java.util.Objects.requireNonNull(scaling, "scaling");
        this.kernels = kernels;
        double q = 1.0 - p;
        // No division when nothing is kept (p = 1): the scale is then never applied.
        this.trainScale = scaling == Scaling.INVERTED && threshold > 0 ? (float) (1.0 / q) : 1.0f;
        this.scaled = trainScale != 1.0f;
        this.evalScale = scaling == Scaling.CLASSIC ? (float) q : 1.0f;
    }

    /**
     * Inverted dropout (train scales by {@code 1 / (1 - p)}, eval is the identity).
     *
     * @param p the drop probability, in {@code [0, 1]}
     * @return the dropout, on the kernels chosen at start-up
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1]}
     */
    public static Dropout inverted(double p) {
        return of(p, Scaling.INVERTED);
    }

    /**
     * Classic dropout (train keeps values as they are, eval scales by {@code 1 - p}).
     *
     * @param p the drop probability, in {@code [0, 1]}
     * @return the dropout, on the kernels chosen at start-up
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1]}
     */
    public static Dropout classic(double p) {
        return of(p, Scaling.CLASSIC);
    }

    /**
     * Dropout with drop probability {@code p} and the given scaling, on the kernels chosen at start-up.
     *
     * @param p       the drop probability, in {@code [0, 1]}
     * @param scaling where the {@code 1 - p} correction goes: training ({@link Scaling#INVERTED}) or eval
     *                ({@link Scaling#CLASSIC})
     * @return the dropout
     * @throws NullPointerException     if {@code scaling} is null
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1]}
     */
    public static Dropout of(double p, Scaling scaling) {
        return new Dropout(p, scaling, KernelSelector.kernels());
    }

    /** {@return the same dropout on the scalar reference kernels, to check or compare against} */
    public Dropout scalarReference() {
        return withKernels(ScalarDropoutKernels.INSTANCE);
    }

    Dropout withKernels(DropoutKernels other) {
        return new Dropout(p, scaling, other);
    }

    /** {@return the drop probability as given} */
    public double p() {
        return p;
    }

    /** {@return the scaling} */
    public Scaling scaling() {
        return scaling;
    }

    /** {@return {@code T = floor((1 - p) * 2^32)}}: an element is kept iff its 32-bit uniform is below it. */
    public long threshold() {
        return threshold;
    }

    /** {@return the exact keep probability, {@code T / 2^32}} (resolution {@code 2^-32}). */
    public double keepProbability() {
        return threshold / (double) MaskStream.KEEP_ALL;
    }

    /** {@return the factor applied to kept elements in training and backward} ({@code 1} for classic). */
    public float trainScale() {
        return trainScale;
    }

    /** {@return the factor applied in eval} ({@code (float) (1 - p)} for classic, {@code 1} for inverted). */
    public float evalScale() {
        return evalScale;
    }

    /** {@return which kernels run: {@code "scalar"} or {@code "vector-<bits>"}} */
    public String implementation() {
        return kernels.name();
    }

    /**
     * Words of mask needed for {@code length} elements.
     *
     * @param length the number of elements ({@code >= 0})
     * @return {@code ceil(length / 64)}
     */
    public static int maskWords(int length) {
        return (int) (((long) length + 63) >>> 6);
    }

    /**
     * Training forward, no mask stored: {@code y = keep ? x * s : +0.0f}. {@code y} may be {@code x} (same offset).
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
        checkUnary(streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        train(seed, streamOffset, x, xOffset, y, yOffset, length, null, 0);
    }

    /**
     * Training forward that also stores the keep decisions as packed bits in {@code mask}.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     * @param mask         the packed keep bits, written: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the first mask word written
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length,
                        long[] mask, int maskOffset) {
        checkUnary(streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        Checks.maskRegion("mask", mask, maskOffset, length);
        train(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
    }

    /**
     * Backward by regenerating the mask of the forward that used {@code (seed, streamOffset)}: no mask stored.
     * {@code dx = keep ? dy * s : +0.0f}; identical to {@link #forward} applied to {@code dy}.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0, as given to the forward ({@code >= 0})
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backward(long seed, long streamOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int length) {
        checkUnary(streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        train(seed, streamOffset, dy, dyOffset, dx, dxOffset, length, null, 0);
    }

    /**
     * Backward from a mask stored by {@link #forward(long, long, float[], int, float[], int, int, long[], int)}:
     * {@code dx = bit ? dy * s : +0.0f}. When this dropout keeps nothing ({@code T = 0}) the result is all
     * {@code +0.0f}, as no forward of it can have set a bit.
     *
     * @param mask         the packed keep bits a forward stored
     * @param maskOffset   the mask word of element 0 of the region
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backward(long[] mask, int maskOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int length) {
        checkUnary(0, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        Checks.maskRegion("mask", mask, maskOffset, length);
        applyMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /** Backward from bits, arguments valid: shared by the single-call and the parallel form. */
    void applyMask(long[] mask, int maskOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int length) {
        if (threshold == 0) {
            Arrays.fill(dx, dxOffset, dxOffset + length, 0.0f);
        } else {
            kernels.applyMask(mask, maskOffset, scaled, trainScale, dy, dyOffset, dx, dxOffset, length);
        }
    }

    /**
     * Eval (inference) forward: {@code y = x} for inverted, {@code y = x * (float) (1 - p)} for classic.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void eval(float[] x, int xOffset, float[] y, int yOffset, int length) {
        checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        evalTrusted(x, xOffset, y, yOffset, length);
    }

    /** Eval, arguments valid: shared by the single-call and the parallel form. */
    void evalTrusted(float[] x, int xOffset, float[] y, int yOffset, int length) {
        if (evalScale != 1.0f) {
            kernels.scale(evalScale, x, xOffset, y, yOffset, length);
        } else if (x != y || xOffset != yOffset) {
            System.arraycopy(x, xOffset, y, yOffset, length);
        }
    }

    /**
     * The keep decisions alone, as packed bits.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param mask         the packed keep bits, written: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the first mask word written
     * @param length       the number of elements
     */
    public void mask(long seed, long streamOffset, long[] mask, int maskOffset, int length) {
        checkMaskOnly(streamOffset, mask, maskOffset, length);
        train(seed, streamOffset, null, 0, null, 0, length, mask, maskOffset);
    }

    /** The checks of {@link #mask}: shared with the parallel form, so the two cannot drift apart. */
    static void checkMaskOnly(long streamOffset, long[] mask, int maskOffset, int length) {
        Checks.length(length);
        Checks.stream(streamOffset, length);
        Checks.maskRegion("mask", mask, maskOffset, length);
    }

    /** The checks of every out-of-place operation (stream offset 0 where none is used): shared with the parallel form. */
    static void checkUnary(long streamOffset, String inName, float[] in, int inOffset,
                                   String outName, float[] out, int outOffset, int length) {
        checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        Checks.stream(streamOffset, length);
    }

    /** Everything but the stream offset: what {@link DropoutLayer} checks before it reserves a stream range. */
    static void checkRegions(String inName, float[] in, int inOffset, String outName, float[] out, int outOffset,
                             int length) {
        Checks.length(length);
        Checks.region(inName, in, inOffset, length);
        Checks.region(outName, out, outOffset, length);
        Checks.noPartialOverlap(inName, in, inOffset, outName, out, outOffset, length);
    }

    /** Shared by forward, regenerating backward and mask; {@code x == null} means mask only. Arguments are valid. */
    void train(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length,
                       long[] mask, int maskOffset) {
        if (threshold == 0) { // p > 1 - 2^-32 (p = 1 included): drop everything
            if (x != null) {
                Arrays.fill(y, yOffset, yOffset + length, 0.0f);
            }
            if (mask != null) {
                Arrays.fill(mask, maskOffset, maskOffset + maskWords(length), 0L);
            }
        } else if (threshold == MaskStream.KEEP_ALL) { // p <= 2^-54 (p = 0 included): keep everything, scale is exactly 1
            if (x != null && (x != y || xOffset != yOffset)) {
                System.arraycopy(x, xOffset, y, yOffset, length);
            }
            if (mask != null) {
                fillOnes(mask, maskOffset, length);
            }
        } else {
            kernels.train(seed, streamOffset, threshold, scaled, trainScale, x, xOffset, y, yOffset, length,
                    mask, maskOffset);
        }
    }

    private static void fillOnes(long[] mask, int maskOffset, int length) {
        int full = length >>> 6;
        Arrays.fill(mask, maskOffset, maskOffset + full, -1L);
        if ((length & 63) != 0) {
            mask[maskOffset + full] = (1L << length) - 1; // the shift uses length & 63
        }
    }

    @Override
    public String toString() {
        return "Dropout[p=" + p + ", " + scaling + ", " + kernels.name() + "]";
    }
}
