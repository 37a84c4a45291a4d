package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A dropout layer that owns its seed and its position in the mask stream: every training forward uses the
 * next stream elements, one per keep decision ({@code length} element-wise, {@code N * C} per channel:
 * {@link ChannelLayout#decisions}), and returns the stream offset it used, a plain {@code long} that the matching
 * {@link #backward} takes to regenerate the same mask. Nothing is stored between the two passes.
 *
 * <pre>{@code
 * long ticket = layer.forward(x, 0, y, 0, n);      // training step
 * ...
 * layer.backward(ticket, dy, 0, dx, 0, n);         // same mask, regenerated
 * }</pre>
 *
 * <p>Float32 and float64, in arrays and in native or heap {@link MemorySegment}s ({@code forwardFloats},
 * {@code forwardDoubles}, ..., the names {@link ParallelDropout} uses, offsets counted in elements and mask words);
 * a float64 forward takes the same decisions (and stores the same mask bits) as a float32 one at the same offset.
 *
 * <p>Thread-safety: thread-safe and lock-free. Each training forward reserves its stream range with a
 * compare-and-set, so concurrent forwards get disjoint ranges and each returns the offset it used; which thread
 * gets which range depends on timing. For results that repeat run after run, give each thread its own layer
 * (seeds from {@link Seeds#derive}) or call from one thread. Allocation: none, once the JIT has compiled the
 * kernels, except, per channel over short runs or rows, a small scratch on each thread's first call
 * ({@link Dropout#perChannel}).
 */
public final class DropoutLayer {

    private final Dropout dropout;
    private final long seed;
    private final AtomicLong position = new AtomicLong();

    /**
     * A layer at stream position 0.
     *
     * @param dropout the dropout to apply
     * @param seed    the seed of this layer's mask stream (e.g. from {@link Seeds#derive})
     */
    public DropoutLayer(Dropout dropout, long seed) {
        this.dropout = Objects.requireNonNull(dropout, "dropout");
        this.seed = seed;
    }

    /** {@return the dropout this layer applies} */
    public Dropout dropout() {
        return dropout;
    }

    /** {@return the seed of this layer's mask stream} */
    public long seed() {
        return seed;
    }

    /** {@return the stream offset the next training forward will use} */
    public long position() {
        return position.get();
    }

    /**
     * Moves the stream position, e.g. to replay a step or resume from a checkpoint.
     *
     * @param position the stream offset the next training forward will use
     * @throws IllegalArgumentException if {@code position} is negative
     */
    public void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("stream position must be >= 0, got " + position);
        }
        this.position.set(position);
    }

    /**
     * Training forward over the next stream elements, one per keep decision.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements (whole samples, per channel)
     * @return the stream offset used, for {@link #backward}
     */
    public long forward(float[] x, int xOffset, float[] y, int yOffset, int length) {
        // The dropout's own checks, before the position moves; the stream offset is checked as it is reserved.
        dropout.floats().checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        long offset = reserve(length);
        dropout.floats().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length);
        return offset;
    }

    /**
     * Training forward over the next stream elements, one per keep decision, that also stores the mask bits.
     *
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements (whole samples, per channel)
     * @param mask         the packed keep bits, written: one bit per decision ({@code ceil(length / 64)} words
     *                     element-wise) from {@code maskOffset}
     * @param maskOffset   the first mask word written
     * @return the stream offset used
     */
    public long forward(float[] x, int xOffset, float[] y, int yOffset, int length, long[] mask, int maskOffset) {
        dropout.floats().checkForwardWithMask(0, x, xOffset, y, yOffset, length, mask, maskOffset);
        long offset = reserve(length);
        dropout.floats().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length, mask, maskOffset);
        return offset;
    }

    /**
     * Training forward over the next stream elements, one per keep decision, in float64.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements (whole samples, per channel)
     * @return the stream offset used, for {@link #backward}
     */
    public long forward(double[] x, int xOffset, double[] y, int yOffset, int length) {
        dropout.doubles().checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        long offset = reserve(length);
        dropout.doubles().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length);
        return offset;
    }

    /**
     * Training forward over the next stream elements, one per keep decision, in float64, that also stores the mask
     * bits (the same bits as the float32 forward's).
     *
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements (whole samples, per channel)
     * @param mask         the packed keep bits, written: one bit per decision from {@code maskOffset}
     * @param maskOffset   the first mask word written
     * @return the stream offset used
     */
    public long forward(double[] x, int xOffset, double[] y, int yOffset, int length, long[] mask, int maskOffset) {
        dropout.doubles().checkForwardWithMask(0, x, xOffset, y, yOffset, length, mask, maskOffset);
        long offset = reserve(length);
        dropout.doubles().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length, mask, maskOffset);
        return offset;
    }

    /**
     * Training forward over native or heap segments of float32 values (offsets and length count elements), the
     * next stream elements, one per keep decision.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements (whole samples, per channel)
     * @return the stream offset used, for {@link #backwardFloats}
     */
    public long forwardFloats(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        dropout.floatSegments().checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        long offset = reserve(length);
        dropout.floatSegments().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length);
        return offset;
    }

    /**
     * Training forward over float32 segments that also stores the mask bits.
     *
     * @param x          the input
     * @param xOffset    where the input region starts in {@code x}
     * @param y          the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset    where the output region starts in {@code y}
     * @param length     the number of elements (whole samples, per channel)
     * @param mask       the packed keep bits, written: one bit per decision from {@code maskOffset}
     * @param maskOffset the first mask word written (counted in 64-bit words)
     * @return the stream offset used
     */
    public long forwardFloats(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length,
                              MemorySegment mask, long maskOffset) {
        dropout.floatSegments().checkForwardWithMask(0, x, xOffset, y, yOffset, length, mask, maskOffset);
        long offset = reserve(length);
        dropout.floatSegments().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length, mask, maskOffset);
        return offset;
    }

    /**
     * Training forward over segments of float64 values, the same decisions as the float32 forms'.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements (whole samples, per channel)
     * @return the stream offset used, for {@link #backwardDoubles}
     */
    public long forwardDoubles(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        dropout.doubleSegments().checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        long offset = reserve(length);
        dropout.doubleSegments().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length);
        return offset;
    }

    /**
     * Training forward over float64 segments that also stores the mask bits (the same bits as the float32 forms').
     *
     * @param x          the input
     * @param xOffset    where the input region starts in {@code x}
     * @param y          the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset    where the output region starts in {@code y}
     * @param length     the number of elements (whole samples, per channel)
     * @param mask       the packed keep bits, written: one bit per decision from {@code maskOffset}
     * @param maskOffset the first mask word written (counted in 64-bit words)
     * @return the stream offset used
     */
    public long forwardDoubles(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length,
                               MemorySegment mask, long maskOffset) {
        dropout.doubleSegments().checkForwardWithMask(0, x, xOffset, y, yOffset, length, mask, maskOffset);
        long offset = reserve(length);
        dropout.doubleSegments().forwardTrusted(seed, offset, x, xOffset, y, yOffset, length, mask, maskOffset);
        return offset;
    }

    /** Atomically takes the stream elements of the next {@code length} elements' decisions. */
    private long reserve(long length) {
        long decisions = dropout.layout().decisions(length);
        while (true) {
            long offset = position.get();
            Checks.stream(offset, decisions);
            if (position.compareAndSet(offset, offset + decisions)) {
                return offset;
            }
        }
    }

    /**
     * Backward of the forward that returned {@code streamOffset}, regenerating its mask.
     *
     * @param streamOffset what the forward returned
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backward(long streamOffset, float[] dy, int dyOffset, float[] dx, int dxOffset, int length) {
        dropout.backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Float64 backward of the forward that returned {@code streamOffset}, regenerating its mask.
     *
     * @param streamOffset what the forward returned
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backward(long streamOffset, double[] dy, int dyOffset, double[] dx, int dxOffset, int length) {
        dropout.backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Float32 segment backward of the forward that returned {@code streamOffset}, regenerating its mask.
     *
     * @param streamOffset what the forward returned
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backwardFloats(long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                               long length) {
        dropout.floatSegments().backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Float64 segment backward of the forward that returned {@code streamOffset}, regenerating its mask.
     *
     * @param streamOffset what the forward returned
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backwardDoubles(long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                                long length) {
        dropout.doubleSegments().backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Float32 segment eval forward; does not move the stream position.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void evalFloats(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        dropout.floatSegments().eval(x, xOffset, y, yOffset, length);
    }

    /**
     * Float64 segment eval forward; does not move the stream position.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void evalDoubles(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        dropout.doubleSegments().eval(x, xOffset, y, yOffset, length);
    }

    /**
     * Eval forward; does not move the stream position.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void eval(float[] x, int xOffset, float[] y, int yOffset, int length) {
        dropout.eval(x, xOffset, y, yOffset, length);
    }

    /**
     * Float64 eval forward; does not move the stream position.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void eval(double[] x, int xOffset, double[] y, int yOffset, int length) {
        dropout.eval(x, xOffset, y, yOffset, length);
    }
}
