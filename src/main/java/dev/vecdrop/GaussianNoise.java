package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Additive gaussian noise (Keras and DL4J {@code GaussianNoise}): in training {@code y = x + stddev * z} with
 * {@code z} standard normal; backward and eval are the identity.
 *
 * <p>{@code z} is the normal stream, version 1 ({@link NormalStream}): element {@code i} of a call uses
 * {@code z(seed, streamOffset + i)}, so results do not depend on the ISA, vector width, how a tensor is cut into
 * calls, or how many threads make them. The exact operations (docs/mask-stream.md, "Gaussian dropout and gaussian
 * noise"): float32 {@code y = fma(stddev, z, x)} with {@code stddev} rounded to float; float64
 * {@code y = fma(stddev, (double) z, x)}. Give the layer a seed of its own ({@link Seeds#derive}).
 *
 * <p>Element-wise by default; {@link #perChannel} gives one normal per {@code (sample, channel)} of a
 * {@link ChannelLayout}: in every method below read {@code streamOffset + d}, {@code d} the element's decision, for
 * {@code streamOffset + i}.
 *
 * <p>Float32 and float64, over Java arrays and over memory segments ({@code forwardFloats}, {@code forwardDoubles}
 * and their identity backwards: heap or native, the arrays' bits). Every method checks all its arguments first and throws before writing
 * anything, as {@link Dropout} does; in place ({@code y == x} at the same offset) is allowed.
 *
 * <p>Thread-safety: immutable; one instance may be used by any number of threads on disjoint outputs.
 * Allocation: a 4 KiB scratch block per thread on that thread's first training call, another on its first
 * per-channel call, and on its first call over segments a 4 KiB (float32) or 8 KiB (float64) chunk array; none
 * after, once the JIT has compiled the normal fill. Virtual threads share a few of each (up to two per processor)
 * instead of making their own, so a virtual thread per task does not pay them on every task.
 */
public final class GaussianNoise {

    private final double stddev;
    private final float stddevFloat;
    private final ChannelLayout layout;

    private GaussianNoise(double stddev, ChannelLayout layout) {
        // Also rejects NaN, and a stddev whose float32 rounding is infinite (it would make fma(inf, 0, x) NaN).
        if (!(stddev >= 0 && (float) stddev <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException("stddev must be in [0, Float.MAX_VALUE], got " + stddev);
        }
        this.stddev = stddev;
        this.stddevFloat = (float) stddev;
        this.layout = java.util.Objects.requireNonNull(layout, "layout");
    }

    /**
     * Additive gaussian noise of standard deviation {@code stddev}.
     *
     * @param stddev the standard deviation of the noise, {@code >= 0}, finite when rounded to float
     * @return the layer
     * @throws IllegalArgumentException if {@code stddev} is NaN, negative, or rounds to an infinite float
     */
    public static GaussianNoise of(double stddev) {
        return new GaussianNoise(stddev, ChannelLayout.elementwise());
    }

    /**
     * The same noise with one normal per {@code (sample, channel)} instead of per element: element {@code i} of a
     * region gets {@code stddev * z(seed, streamOffset + d)}, {@code d} its decision in {@code layout} (as
     * {@link GaussianDropout#perChannel} maps them), a random shift of each channel of each sample. A call consumes
     * {@code N * C} stream elements and a region must hold whole samples. Arrays and segments, float32 and float64.
     *
     * @param layout channels first {@code (N, C, S)}, channels last {@code (N, S, C)}, or element-wise
     * @return the noise with that layout
     * @throws NullPointerException if {@code layout} is null
     */
    public GaussianNoise perChannel(ChannelLayout layout) {
        return new GaussianNoise(stddev, layout);
    }

    /** {@return which elements share a normal: {@link ChannelLayout#elementwise()} unless {@link #perChannel}} */
    public ChannelLayout layout() {
        return layout;
    }

    /** {@return the float64 standard deviation, as given} */
    public double stddev() {
        return stddev;
    }

    /** {@return the float32 standard deviation: {@code (float) stddev}} */
    public float stddevFloat() {
        return stddevFloat;
    }

    /**
     * Training forward: {@code y[i] = fma(stddev, z(seed, streamOffset + i), x[i])}.
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
        addTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward: the identity, {@code dx = dy}. Takes the forward's {@code (seed, streamOffset)} like
     * {@link GaussianDropout#backward(long, long, float[], int, float[], int, int)}, so the two swap without other
     * changes; the stream offset is checked as there, and neither is otherwise used.
     *
     * @param seed         the forward's seed (unused)
     * @param streamOffset the forward's stream offset (checked only)
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backward(long seed, long streamOffset, float[] dy, int dyOffset, float[] dx, int dxOffset,
                         int length) {
        NormalBlocks.check(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        NormalBlocks.identity(layout, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
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
     * Training forward over float64: {@code y[i] = fma(stddev, (double) z(seed, streamOffset + i), x[i])}.
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
        addTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward over float64: the identity, {@code dx = dy}.
     *
     * @param seed         the forward's seed (unused)
     * @param streamOffset the forward's stream offset (checked only)
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backward(long seed, long streamOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                         int length) {
        NormalBlocks.check(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        NormalBlocks.identity(layout, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
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
     * {@code y[i] = fma(stddev, z(seed, streamOffset + i), x[i])}, the bits the {@code float[]} forward gives.
     * Offsets and the length count elements. The backward is the identity: the caller's gradient passes unchanged.
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
        addFloatsTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Training forward over float64 memory segments: {@code y[i] = fma(stddev, (double) z(seed, streamOffset + i),
     * x[i])}, as the {@code double[]} forward.
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
        addDoublesTrusted(seed, streamOffset, 0, x, xOffset, y, yOffset, length);
    }

    /**
     * Backward over float32 memory segments: the identity, {@code dx = dy} (a copy of the bytes), with the
     * checks of {@link #forwardFloats}, so the two layers' segment calls swap as their array calls do.
     *
     * @param seed         the forward's seed (unused)
     * @param streamOffset the forward's stream offset (checked only)
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backwardFloats(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                               long dxOffset, long length) {
        NormalSegmentBlocks.checkFloats(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        NormalSegmentBlocks.copy(ValueLayout.JAVA_FLOAT_UNALIGNED, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Backward over float64 memory segments: the identity, with the checks of {@link #forwardDoubles}.
     *
     * @param seed         the forward's seed (unused)
     * @param streamOffset the forward's stream offset (checked only)
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void backwardDoubles(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                                long dxOffset, long length) {
        NormalSegmentBlocks.checkDoubles(layout, streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        NormalSegmentBlocks.copy(ValueLayout.JAVA_DOUBLE_UNALIGNED, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * The training combination over elements {@code [first, first + n)} of a checked region whose element 0 is
     * stream element {@code e} ({@code x[xOffset]} is element {@code first}): the public calls with
     * {@code first = 0}, and {@link ParallelGaussian}'s chunks.
     */
    void addTrusted(long seed, long e, long first, float[] x, int xOffset, float[] y, int yOffset, int n) {
        NormalBlocks.add(layout, seed, e, first, x, xOffset, y, yOffset, n, stddevFloat);
    }

    void addTrusted(long seed, long e, long first, double[] x, int xOffset, double[] y, int yOffset, int n) {
        NormalBlocks.add(layout, seed, e, first, x, xOffset, y, yOffset, n, stddev);
    }

    void addFloatsTrusted(long seed, long e, long first, MemorySegment x, long xOffset, MemorySegment y,
                          long yOffset, long n) {
        NormalSegmentBlocks.apply(NormalSegmentBlocks.Combine.FLOAT_ADD, layout, seed, e, first, x, xOffset, y,
                yOffset, n, stddevFloat);
    }

    void addDoublesTrusted(long seed, long e, long first, MemorySegment x, long xOffset, MemorySegment y,
                           long yOffset, long n) {
        NormalSegmentBlocks.apply(NormalSegmentBlocks.Combine.DOUBLE_ADD, layout, seed, e, first, x, xOffset, y,
                yOffset, n, stddev);
    }

    @Override
    public String toString() {
        return "GaussianNoise[stddev=" + stddev + ", " + layout + "]";
    }
}
