package dev.vecdrop;

import java.lang.foreign.MemorySegment;

/**
 * Gaussian dropout (Srivastava et al., "Dropout: a simple way to prevent neural networks from overfitting", JMLR
 * 2014, section 10; Keras and DL4J {@code GaussianDropout}): in training every element is multiplied by
 * {@code 1 + sigma * z} with {@code z} standard normal and {@code sigma = sqrt(p / (1 - p))}, which has the mean 1
 * and the variance of inverted dropout's factor at drop probability {@code p}; eval is the identity.
 *
 * <p>{@code z} is the normal stream, version 1 ({@link NormalStream}): element {@code i} of a call uses
 * {@code z(seed, streamOffset + i)}, so, as for {@link Dropout}, results do not depend on the ISA, vector width,
 * how a tensor is cut into calls, or how many threads make them, and backward regenerates the forward's factors
 * from {@code (seed, streamOffset)}: nothing is stored. The exact operations (docs/mask-stream.md, "Gaussian
 * dropout and gaussian noise"): float32 {@code y = x * fma(sigma, z, 1f)} with {@code sigma} rounded to float;
 * float64 {@code y = x * fma(sigma, (double) z, 1.0)} with {@code sigma} in double. The factor is negative where
 * {@code z < -1 / sigma}, as in Keras. Give the layer a seed of its own ({@link Seeds#derive}): with a dropout's
 * seed it would reuse the words that dropout's keep decisions come from.
 *
 * <p>Element-wise by default; {@link #perChannel} gives one factor per {@code (sample, channel)} of a
 * {@link ChannelLayout}: in every method below read {@code streamOffset + d}, {@code d} the element's decision, for
 * {@code streamOffset + i}.
 *
 * <p>Float32 and float64, over Java arrays and over memory segments ({@code forwardFloats} and the like: heap or
 * native, the arrays' bits). Every method checks all its arguments first and throws before writing anything, as
 * {@link Dropout} does; in place ({@code y == x} at the same offset) is allowed.
 *
 * <p>Thread-safety: immutable; one instance may be used by any number of threads on disjoint outputs.
 * Allocation: a 4 KiB scratch block per thread on that thread's first training call, another on its first
 * per-channel call, and on its first call over segments a 4 KiB (float32) or 8 KiB (float64) chunk array; none
 * after, once the JIT has compiled the normal fill. Virtual threads share a few of each (up to two per processor)
 * instead of making their own, so a virtual thread per task does not pay them on every task.
 */
public final class GaussianDropout {

    private final double p;
    private final float sigma;
    private final double sigmaDouble;
    private final ChannelLayout layout;

    private GaussianDropout(double p, ChannelLayout layout) {
        if (!(p >= 0 && p < 1)) { // also NaN; p = 1 would make sigma infinite
            throw new IllegalArgumentException("p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.sigmaDouble = Math.sqrt(p / (1 - p));
        this.sigma = (float) sigmaDouble;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
    }

    /**
     * Gaussian dropout with the noise of drop probability {@code p}.
     *
     * @param p the drop probability the noise stands for, in {@code [0, 1)}
     * @return the layer
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1)}
     */
    public static GaussianDropout of(double p) {
        return new GaussianDropout(p, ChannelLayout.elementwise());
    }

    /**
     * The same gaussian dropout with one factor per {@code (sample, channel)} instead of per element: element
     * {@code i} of a region uses {@code z(seed, streamOffset + d)}, {@code d} its decision in {@code layout}
     * ({@link ChannelLayout}: {@code i / S} channels first, {@code (i / (C * S)) * C + i % C} channels last), so a
     * call consumes {@code N * C} stream elements and a region must hold whole samples. The multiplicative
     * counterpart of PyTorch {@code Dropout2d} / Keras {@code SpatialDropout}; neither framework has a per-channel
     * gaussian dropout, so there is no one to match. Arrays and segments, float32 and float64.
     *
     * @param layout channels first {@code (N, C, S)}, channels last {@code (N, S, C)}, or element-wise
     * @return the gaussian dropout with that layout
     * @throws NullPointerException if {@code layout} is null
     */
    public GaussianDropout perChannel(ChannelLayout layout) {
        return new GaussianDropout(p, layout);
    }

    /** {@return which elements share a factor: {@link ChannelLayout#elementwise()} unless {@link #perChannel}} */
    public ChannelLayout layout() {
        return layout;
    }

    /** {@return the drop probability as given} */
    public double p() {
        return p;
    }

    /** {@return the float32 {@code sigma}: {@code sqrt(p / (1 - p))} computed in double, rounded to float} */
    public float sigma() {
        return sigma;
    }

    /** {@return the float64 {@code sigma}: {@code sqrt(p / (1 - p))} in double} */
    public double sigmaDouble() {
        return sigmaDouble;
    }

    /**
     * Training forward: {@code y[i] = x[i] * fma(sigma, z(seed, streamOffset + i), 1f)}.
     *
     * @param seed         the seed of the normal stream (the layer's own: {@link Seeds#derive})
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
        NormalBlocks.check(layout, streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        multiplyTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward with the forward's factors regenerated from {@code (seed, streamOffset)}:
     * {@code dx[i] = dy[i] * fma(sigma, z(seed, streamOffset + i), 1f)}, the forward applied to {@code dy}.
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backward(long seed, long streamOffset, float[] dy, int dyOffset, float[] dx, int dxOffset,
                         int length) {
        NormalBlocks.check(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        multiplyTrusted(seed, streamOffset, 0, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Eval (inference): the identity, {@code y = x} (a copy; nothing when in place). Per channel, the region must
     * still be whole samples, as for {@link Dropout#eval(float[], int, float[], int, int)}.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements ({@code >= 0})
     */
    public void eval(float[] x, int xOffset, float[] y, int yOffset, int length) {
        NormalBlocks.identity(layout, "x", x, xOffset, "y", y, yOffset, length);
    }

    /**
     * Training forward over float64: {@code y[i] = x[i] * fma(sigma, (double) z(seed, streamOffset + i), 1.0)}.
     *
     * @param seed         the seed of the normal stream (the layer's own: {@link Seeds#derive})
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] y, int yOffset, int length) {
        NormalBlocks.check(layout, streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        multiplyTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward over float64: {@code dx[i] = dy[i] * fma(sigma, (double) z(seed, streamOffset + i), 1.0)}.
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backward(long seed, long streamOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                         int length) {
        NormalBlocks.check(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        multiplyTrusted(seed, streamOffset, 0, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Eval over float64: the identity (per channel, whole samples).
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements ({@code >= 0})
     */
    public void eval(double[] x, int xOffset, double[] y, int yOffset, int length) {
        NormalBlocks.identity(layout, "x", x, xOffset, "y", y, yOffset, length);
    }

    /**
     * Training forward over float32 memory segments (heap or native, values in native byte order):
     * {@code y[i] = x[i] * fma(sigma, z(seed, streamOffset + i), 1f)}, the bits the {@code float[]} forward gives.
     * Offsets and the length count elements.
     *
     * @param seed         the seed of the normal stream (the layer's own: {@link Seeds#derive})
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forwardFloats(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                              long yOffset, long length) {
        NormalSegmentBlocks.checkFloats(layout, streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        multiplyFloatsTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward over float32 memory segments: {@code dx[i] = dy[i] * fma(sigma, z(seed, streamOffset + i), 1f)}.
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backwardFloats(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                               long dxOffset, long length) {
        NormalSegmentBlocks.checkFloats(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        multiplyFloatsTrusted(seed, streamOffset, 0, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Training forward over float64 memory segments:
     * {@code y[i] = x[i] * fma(sigma, (double) z(seed, streamOffset + i), 1.0)}, as the {@code double[]} forward.
     *
     * @param seed         the seed of the normal stream (the layer's own: {@link Seeds#derive})
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forwardDoubles(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                               long yOffset, long length) {
        NormalSegmentBlocks.checkDoubles(layout, streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        multiplyDoublesTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward over float64 memory segments:
     * {@code dx[i] = dy[i] * fma(sigma, (double) z(seed, streamOffset + i), 1.0)}.
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backwardDoubles(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                                long dxOffset, long length) {
        NormalSegmentBlocks.checkDoubles(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        multiplyDoublesTrusted(seed, streamOffset, 0, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * The training combination over elements {@code [first, first + n)} of a checked region whose element 0 is
     * stream element {@code e} ({@code x[xOffset]} is element {@code first}): the public calls with
     * {@code first = 0}, and {@link ParallelGaussian}'s chunks.
     */
    void multiplyTrusted(long seed, long e, long first, float[] x, int xOffset, float[] y, int yOffset, int n) {
        NormalBlocks.multiply(layout, seed, e, first, x, xOffset, y, yOffset, n, sigma);
    }

    void multiplyTrusted(long seed, long e, long first, double[] x, int xOffset, double[] y, int yOffset, int n) {
        NormalBlocks.multiply(layout, seed, e, first, x, xOffset, y, yOffset, n, sigmaDouble);
    }

    void multiplyFloatsTrusted(long seed, long e, long first, MemorySegment x, long xOffset, MemorySegment y,
                               long yOffset, long n) {
        NormalSegmentBlocks.apply(NormalSegmentBlocks.Combine.FLOAT_MULTIPLY, layout, seed, e, first, x, xOffset, y,
                yOffset, n, sigma);
    }

    void multiplyDoublesTrusted(long seed, long e, long first, MemorySegment x, long xOffset, MemorySegment y,
                                long yOffset, long n) {
        NormalSegmentBlocks.apply(NormalSegmentBlocks.Combine.DOUBLE_MULTIPLY, layout, seed, e, first, x, xOffset, y,
                yOffset, n, sigmaDouble);
    }

    @Override
    public String toString() {
        return "GaussianDropout[p=" + p + ", sigma=" + sigmaDouble + ", " + layout + "]";
    }
}
