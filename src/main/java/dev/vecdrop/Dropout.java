package dev.vecdrop;

import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.kernel.KernelSelector;

/**
 * Dropout with drop probability {@code p} over float32 and float64 regions {@code (array, offset, length)}, and
 * over memory segments through {@link #floatSegments()} and {@link #doubleSegments()}: training forward, eval,
 * backward from a stored bit mask or by regenerating the mask, and the mask alone.
 *
 * <p>Element {@code i} of a call is element {@code e = streamOffset + i} of the mask stream of {@code seed}
 * (see {@link MaskStream}), so results do not depend on the ISA, vector width, how a tensor is cut into
 * calls, how many threads make them, or the element type: a mask stored by a float32 forward drives a float64
 * backward and vice versa. A call's stream elements must end where a {@code long} can say so:
 * {@code streamOffset + length <= 2^63 - 1} (per channel, {@code streamOffset + N * C}: its decisions), so a call
 * reaches stream element {@code 2^63 - 2} at most (the stream itself is defined up to {@code 2^63 - 1}).
 * A kept element is {@code x * s} with {@code s = 1 / (1 - p)} computed in double and
 * rounded to the element type ({@link Scaling#INVERTED}), or {@code x} ({@link Scaling#CLASSIC}); where {@code s}
 * rounds to exactly 1 the element is passed through bit for bit. A dropped element is {@code +0.0}, whatever
 * {@code x} was, NaN and infinities included (PyTorch's {@code x * mask} would keep a NaN). {@link #alpha} dropout's
 * forward is affine instead ({@code keep ? (x * a) + b : c}), its backward and mask those of the dropout with scale
 * {@code a}. Masks are packed bits: bit {@code i & 63}
 * of word {@code maskOffset + (i >>> 6)} is element {@code i} of the call, LSB first; every word the call
 * covers is written whole, bits past {@code length} are zero. Per channel ({@link #perChannel}) a bit is a
 * decision instead: bit {@code d} is decision {@code d} of the call, and a mask holds {@code ceil(N * C / 64)}
 * words; the methods' {@code ceil(length / 64)} words then read {@code ceil(decisions / 64)}, and their messages
 * count decisions.
 *
 * <p>Every method checks all its arguments first and throws before writing anything: a
 * {@link NullPointerException} for a null array, {@link IndexOutOfBoundsException} for a region that does not
 * fit, {@link IllegalArgumentException} for a negative length, a bad stream offset, or two regions of one
 * array that overlap without being the same (in-place, same array and offset, is allowed).
 *
 * <p>Thread-safety: immutable; one instance may be used by any number of threads on disjoint outputs.
 * Allocation: none, once the JIT has compiled the kernels; a thread's first per-channel call over runs under 128
 * elements or rows of up to 64 channels makes that thread's scratch (131 longs, and 1,048 bytes of native memory
 * for the segment forms; virtual threads share a few instead of making one each), and a {@link ChannelLayout} of
 * channels-first runs under 32 elements or channels-last samples under 128 holds a table of 4,224 ints from its
 * construction.
 */
public final class Dropout {

    private final double p;
    private final Scaling scaling;
    private final ChannelLayout layout;
    private final long threshold;
    private final DropoutKernels kernels;
    private final FloatArrayDropout floats;
    private final DoubleArrayDropout doubles;
    private final FloatSegmentDropout floatSegments;
    private final DoubleSegmentDropout doubleSegments;

    private Dropout(double p, Scaling scaling, ChannelLayout layout, DropoutKernels kernels) {
        this.threshold = MaskStream.threshold(p); // validates p
        this.p = p;
        this.scaling = java.util.Objects.requireNonNull(scaling, "scaling");
        if (scaling == Scaling.ALPHA && p == 1) {
            throw new IllegalArgumentException("alpha dropout needs p < 1: at p = 1 its scale a = 1 / sqrt((1 - p)"
                    + " * (1 + p * alpha'^2)) is infinite (PyTorch returns zeros there, Keras the input unchanged)");
        }
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
        this.kernels = kernels;
        boolean vector = kernels.vectorBitSize() != 0;
        this.floats = new FloatArrayDropout(p, scaling, layout, threshold, kernels.floatArrays(), vector);
        this.doubles = new DoubleArrayDropout(p, scaling, layout, threshold, kernels.doubleArrays(), vector);
        this.floatSegments = new FloatSegmentDropout(p, scaling, layout, threshold, kernels.floatSegments(), vector);
        this.doubleSegments = new DoubleSegmentDropout(p, scaling, layout, threshold, kernels.doubleSegments(), vector);
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
     * Alpha dropout (PyTorch {@code AlphaDropout}, Keras and DL4J {@code AlphaDropout}; per channel, through
     * {@link #perChannel}, PyTorch {@code FeatureAlphaDropout}): with {@code alpha' = -1.7580993408473766},
     * {@code a = 1 / sqrt((1 - p) * (1 + p * alpha'^2))}, {@code b = -a * alpha' * p} and {@code c = a * alpha' + b},
     * train {@code y = keep ? (x * a) + b : c}, backward {@code dx = keep ? dy * a : +0.0}, eval {@code y = x}. For
     * inputs of zero mean and unit variance the output keeps both. The keep decisions are dropout's for the same
     * {@code (seed, streamOffset, p)}; rounding as docs/mask-stream.md states ("Alpha dropout").
     *
     * @param p the drop probability, in {@code [0, 1)}
     * @return the dropout, on the kernels chosen at start-up
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1)}: at {@code p = 1} the scale
     *                                  {@code a} is infinite
     */
    public static Dropout alpha(double p) {
        return of(p, Scaling.ALPHA);
    }

    /**
     * Dropout with drop probability {@code p} and the given scaling, on the kernels chosen at start-up.
     *
     * @param p       the drop probability, in {@code [0, 1]}
     * @param scaling where the {@code 1 - p} correction goes: training ({@link Scaling#INVERTED}) or eval
     *                ({@link Scaling#CLASSIC})
     * @return the dropout
     * @throws NullPointerException     if {@code scaling} is null
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1]}, or {@code p = 1} for
     *                                  {@link Scaling#ALPHA}
     */
    public static Dropout of(double p, Scaling scaling) {
        return new Dropout(p, scaling, ChannelLayout.elementwise(), KernelSelector.kernels());
    }

    /** {@return the same dropout on the scalar reference kernels, to check or compare against} */
    public Dropout scalarReference() {
        return withKernels(DropoutKernels.SCALAR);
    }

    /** {@return the kernels this dropout runs (the fused ones included)} */
    DropoutKernels kernels() {
        return kernels;
    }

    Dropout withKernels(DropoutKernels other) {
        return new Dropout(p, scaling, layout, other);
    }

    /**
     * The same dropout with one keep decision per {@code (sample, channel)} instead of per element: every operation
     * of the result, on arrays and segments of both element types, applies {@code layout}; a region must hold whole
     * samples, a stored mask has {@code N * C} bits ({@code maskWords(N * C)} words) and a call consumes
     * {@code N * C} stream elements ({@link ParallelDropout} cuts such regions at whole runs or samples whose
     * decisions fill whole mask words; a {@link DropoutLayer} moves by {@code N * C}). Not accepted by
     * {@link DropConnect}, which masks weights element by element.
     *
     * @param layout channels first {@code (N, C, S)}, channels last {@code (N, S, C)}, or element-wise
     * @return the dropout with that layout
     */
    public Dropout perChannel(ChannelLayout layout) {
        return new Dropout(p, scaling, layout, kernels);
    }

    /** {@return which elements share a keep decision} */
    public ChannelLayout layout() {
        return layout;
    }

    /** Throws unless this dropout decides per element: for the forms that cut regions element by element. */
    Dropout requireElementwise(String user) {
        if (layout.kind() != ChannelLayout.Kind.ELEMENTWISE) {
            throw new IllegalArgumentException(user + " needs element-wise dropout, got " + layout);
        }
        return this;
    }

    /** {@return the drop probability as given} */
    public double p() {
        return p;
    }

    /** {@return the scaling} */
    public Scaling scaling() {
        return scaling;
    }

    /** {@return {@code T = floor((1 - p) * 2^32)}: an element is kept iff its 32-bit uniform is below it} */
    public long threshold() {
        return threshold;
    }

    /** {@return the exact keep probability, {@code T / 2^32} (resolution {@code 2^-32})} */
    public double keepProbability() {
        return threshold / (double) MaskStream.KEEP_ALL;
    }

    /**
     * {@return the float32 factor applied to kept elements in training and backward ({@code 1} for classic, alpha
     * dropout's {@code a} for alpha; 1 for inverted dropout that keeps nothing, {@code T = 0}, whose factor is never
     * applied)}
     */
    public float trainScale() {
        return floats.trainScale();
    }

    /** {@return the float32 factor applied in eval ({@code (float) (1 - p)} for classic, {@code 1} for inverted)} */
    public float evalScale() {
        return floats.evalScale();
    }

    /**
     * {@return the float64 factor applied to kept elements in training and backward: {@code 1 / (1 - p)}, 1 or a;
     * 1 for inverted dropout that keeps nothing ({@code T = 0}), whose factor is never applied}
     */
    public double trainScaleDouble() {
        return doubles.trainScale();
    }

    /** {@return the float64 factor applied in eval: {@code 1 - p} for classic, 1 for inverted} */
    public double evalScaleDouble() {
        return doubles.evalScale();
    }

    /** {@return which kernels run: {@code "scalar"} or {@code "vector-<bits>"}} */
    public String implementation() {
        return kernels.name();
    }

    /** {@return this dropout over float32 tensors in memory segments (heap or native, {@code long} offsets)} */
    public FloatSegmentDropout floatSegments() {
        return floatSegments;
    }

    /** {@return this dropout over float64 tensors in memory segments (heap or native, {@code long} offsets)} */
    public DoubleSegmentDropout doubleSegments() {
        return doubleSegments;
    }

    /**
     * Words of mask needed for {@code length} elements: {@code ceil(length / 64)}.
     *
     * @param length the number of elements ({@code >= 0})
     * @return the words
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public static int maskWords(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        return (int) (((long) length + 63) >>> 6);
    }

    /**
     * Words of mask needed for {@code length} elements of a segment: {@code ceil(length / 64)}.
     *
     * @param length the number of elements ({@code >= 0})
     * @return the words
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public static long maskWords(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        return (length + 63) >>> 6;
    }

    /** The float32 operations, for the parallel form and the layer. */
    FloatArrayDropout floats() {
        return floats;
    }

    /** The float64 operations, for the parallel form. */
    DoubleArrayDropout doubles() {
        return doubles;
    }

    /**
     * Training forward, no mask stored: {@code y = keep ? x * s : +0.0f}. {@code y} may be {@code x} (same offset).
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
        floats.forward(seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * Training forward that also stores the keep decisions as packed bits in {@code mask}.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     * @param mask         the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the mask word of element 0 of the region
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length,
                        long[] mask, int maskOffset) {
        floats.forward(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
    }

    /**
     * Backward by regenerating the mask of the forward that used {@code (seed, streamOffset)}: no mask stored.
     * {@code dx = keep ? dy * s : +0.0f} ({@code s = a} for alpha dropout); identical to {@link #forward} applied to
     * {@code dy}, except for alpha dropout, whose forward is affine.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backward(long seed, long streamOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int length) {
        floats.backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Backward from a mask stored by {@link #forward(long, long, float[], int, float[], int, int, long[], int)}:
     * {@code dx = bit ? dy * s : +0.0f}. When this dropout keeps nothing ({@code T = 0}) the result is all
     * {@code +0.0f}, as no forward of it can have set a bit.
     *
     * @param mask       the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset the mask word of element 0 of the region
     * @param dy         the gradient of the output
     * @param dyOffset   where the gradient region starts in {@code dy}
     * @param dx         the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset   where the written region starts in {@code dx}
     * @param length     the number of elements ({@code >= 0})
     */
    public void backward(long[] mask, int maskOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int length) {
        floats.backward(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Eval (inference) forward: {@code y = x} for inverted, {@code y = x * (float) (1 - p)} for classic.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements ({@code >= 0})
     */
    public void eval(float[] x, int xOffset, float[] y, int yOffset, int length) {
        floats.eval(x, xOffset, y, yOffset, length);
    }

    /**
     * Training forward over float64, no mask stored: {@code y = keep ? x * (1 / (1 - p)) : +0.0}.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] y, int yOffset, int length) {
        doubles.forward(seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * Training forward over float64 that also stores the keep decisions (the same bits a float32 forward stores).
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     * @param mask         the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the mask word of element 0 of the region
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] y, int yOffset, int length,
                        long[] mask, int maskOffset) {
        doubles.forward(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
    }

    /**
     * Backward over float64 by regenerating the mask.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backward(long seed, long streamOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                         int length) {
        doubles.backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Backward over float64 from a stored mask (stored by a float32 or a float64 forward).
     *
     * @param mask       the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset the mask word of element 0 of the region
     * @param dy         the gradient of the output
     * @param dyOffset   where the gradient region starts in {@code dy}
     * @param dx         the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset   where the written region starts in {@code dx}
     * @param length     the number of elements ({@code >= 0})
     */
    public void backward(long[] mask, int maskOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                         int length) {
        doubles.backward(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Eval over float64: {@code y = x} for inverted, {@code y = x * (1 - p)} for classic.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements ({@code >= 0})
     */
    public void eval(double[] x, int xOffset, double[] y, int yOffset, int length) {
        doubles.eval(x, xOffset, y, yOffset, length);
    }

    /**
     * The keep decisions alone, as packed bits.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0}); the forward's, for a backward
     * @param mask         the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the mask word of element 0 of the region
     * @param length       the number of elements ({@code >= 0})
     */
    public void mask(long seed, long streamOffset, long[] mask, int maskOffset, int length) {
        floats.mask(seed, streamOffset, mask, maskOffset, length);
    }

    @Override
    public String toString() {
        return "Dropout[p=" + p + ", " + scaling + ", " + layout + ", " + kernels.name() + "]";
    }
}
