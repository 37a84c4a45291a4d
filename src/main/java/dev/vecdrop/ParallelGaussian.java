package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * A {@link GaussianDropout} or {@link GaussianNoise} whose training calls on large regions run on several threads
 * of a caller-supplied {@link Executor} (vecdrop never starts threads of its own), with results bit-identical to
 * the layer's own call for every thread count, pool size and task order. Float32 and float64, arrays and memory
 * segments, element-wise and per channel.
 *
 * <p>Why threads pay here: a gaussian layer's forward is bound by the normal stream's arithmetic rather than by
 * memory (0.35-0.51 of dropout's speed on one core at 16M elements, docs/benchmarks.md), so its threads add
 * arithmetic where {@link ParallelDropout}'s share the memory bus. Measured with 2 threads on this project's
 * 2-vCPU VMs: 1.3-1.9x for float32 gaussian dropout and noise at 1M-16M elements, 1.7-1.8x for float64; the
 * spread is the VM's.
 *
 * <p>Why the results cannot differ: element {@code i} of a call uses the normal {@code z(seed, streamOffset + d(i))},
 * {@code d(i)} its decision in the layer's {@link ChannelLayout}, whoever computes it; chunk {@code c} is the
 * layer's call over its own elements (a per-channel chunk may start inside a sample: it takes the decisions of
 * the elements it holds).
 *
 * <p>How a call runs: all arguments are checked first, on the caller's thread, with the layer's own checks, so bad
 * input throws before any task starts and nothing is written. Regions shorter than {@link #minParallelLength()},
 * or not longer than {@link #minChunkLength()}, run inline. Longer ones are cut into chunks of at least
 * {@link #minChunkLength()} elements, and run as {@link ParallelDropout}'s are: the caller works too, a late,
 * rejected or never-run task leaves its chunks to the others, an executor whose {@code execute} blocks holds the
 * caller (and deadlocks a call from one of its own tasks), an error inside a chunk reaches the caller after
 * every chunk is done, the others' output written, and an executor failing on its first task fails the call before
 * anything is written.
 *
 * <p>Memory segments of a confined arena ({@link java.lang.foreign.Arena#ofConfined()}) can be used by their
 * owner thread only: calls on them run inline, on the caller's thread. Segments of a shared, global or automatic
 * arena, and heap segments, are split like arrays.
 *
 * <p>Backward: gaussian dropout's is its forward on the gradient, and runs in parallel the same way; gaussian
 * noise's is the identity (a copy, on the caller's thread), as the layer's own backward, checks included.
 *
 * <p>Thread-safety: immutable; calls on disjoint outputs may run concurrently (they share only the executor).
 * Allocation: none when a call runs inline (after each thread's first call, which allocates the layer's per-thread
 * scratch); otherwise a fixed amount per call, independent of the region's length: the chunk's closure, a job
 * with its counter and latch, and what the executor allocates per submission (about 190-270 bytes with 2 threads).
 * The executor's threads pay the layer's per-thread scratch (4-16 KiB) on their first chunk: an executor that
 * starts a platform thread per task pays it on every split call (virtual threads share a few).
 * {@link ForkJoinPool#commonPool()}'s workers keep theirs, although JDK 25 clears their thread-locals whenever they
 * go idle (kept by the worker's pool index).
 */
public final class ParallelGaussian {

    /** The smallest chunk handed to a thread by default: {@link ParallelDropout#MIN_CHUNK}. */
    public static final int MIN_CHUNK = ParallelDropout.MIN_CHUNK;
    /**
     * Default {@link #minParallelLength()}: where two threads overtook one, float32 gaussian dropout split over a
     * {@link ForkJoinPool} of 2 against the single call on this project's 2-core AMD EPYC VM (0.89x at 131,072
     * elements, 1.17x at 262,144, 1.51x at 524,288 in one run: a split call cost some 50 us more than half the
     * single call there; docs/benchmarks.md, "Multi-threaded gaussian layers").
     */
    public static final int DEFAULT_MIN_PARALLEL_LENGTH = 1 << 18;

    /**
     * What a chunk runs: the layer's own training combination over elements {@code [first, first + n)} of a
     * checked region, and whether its backward is the identity. One adapter per layer type, so the chunks run the
     * layer's code, not a copy of it.
     */
    private interface Layer {
        ChannelLayout layout();

        boolean identityBackward();

        void chunk(long seed, long e, long first, float[] x, int xOff, float[] y, int yOff, int n);

        void chunk(long seed, long e, long first, double[] x, int xOff, double[] y, int yOff, int n);

        void chunk(boolean doubles, long seed, long e, long first, MemorySegment x, long xOff, MemorySegment y,
                   long yOff, long n);
    }

    private record DropoutLayer(GaussianDropout layer) implements Layer {
        @Override
        public ChannelLayout layout() {
            return layer.layout();
        }

        @Override
        public boolean identityBackward() {
            return false;
        }

        @Override
        public void chunk(long seed, long e, long first, float[] x, int xOff, float[] y, int yOff, int n) {
            layer.multiplyTrusted(seed, e, first, x, xOff, y, yOff, n);
        }

        @Override
        public void chunk(long seed, long e, long first, double[] x, int xOff, double[] y, int yOff, int n) {
            layer.multiplyTrusted(seed, e, first, x, xOff, y, yOff, n);
        }

        @Override
        public void chunk(boolean doubles, long seed, long e, long first, MemorySegment x, long xOff,
                          MemorySegment y, long yOff, long n) {
            if (doubles) {
                layer.multiplyDoublesTrusted(seed, e, first, x, xOff, y, yOff, n);
            } else {
                layer.multiplyFloatsTrusted(seed, e, first, x, xOff, y, yOff, n);
            }
        }

        @Override
        public String toString() {
            return layer.toString();
        }
    }

    private record NoiseLayer(GaussianNoise layer) implements Layer {
        @Override
        public ChannelLayout layout() {
            return layer.layout();
        }

        @Override
        public boolean identityBackward() {
            return true;
        }

        @Override
        public void chunk(long seed, long e, long first, float[] x, int xOff, float[] y, int yOff, int n) {
            layer.addTrusted(seed, e, first, x, xOff, y, yOff, n);
        }

        @Override
        public void chunk(long seed, long e, long first, double[] x, int xOff, double[] y, int yOff, int n) {
            layer.addTrusted(seed, e, first, x, xOff, y, yOff, n);
        }

        @Override
        public void chunk(boolean doubles, long seed, long e, long first, MemorySegment x, long xOff,
                          MemorySegment y, long yOff, long n) {
            if (doubles) {
                layer.addDoublesTrusted(seed, e, first, x, xOff, y, yOff, n);
            } else {
                layer.addFloatsTrusted(seed, e, first, x, xOff, y, yOff, n);
            }
        }

        @Override
        public String toString() {
            return layer.toString();
        }
    }

    private final Layer layer;
    private final ChunkedCalls calls;

    private ParallelGaussian(Layer layer, ChunkedCalls calls) {
        this.layer = layer;
        this.calls = calls;
    }

    private static ChunkedCalls calls(Executor executor, int parallelism) {
        return new ChunkedCalls(executor, parallelism, DEFAULT_MIN_PARALLEL_LENGTH, MIN_CHUNK);
    }

    /**
     * {@code layer} on {@code pool}, with up to the pool's parallelism in threads per call, the caller included.
     *
     * @param layer the gaussian dropout to apply
     * @param pool  the pool its chunks run on
     * @return the parallel form of {@code layer}
     */
    public static ParallelGaussian of(GaussianDropout layer, ForkJoinPool pool) {
        return new ParallelGaussian(new DropoutLayer(Objects.requireNonNull(layer, "layer")),
                calls(pool, Objects.requireNonNull(pool, "pool").getParallelism()));
    }

    /**
     * {@code layer} on {@code executor}, using up to {@code parallelism} threads per call (the caller's included).
     *
     * @param layer       the gaussian dropout to apply
     * @param executor    runs the chunks; it may be busy, serial or reject tasks (the caller then does the work), but
     *                    its {@code execute} must not block (see {@link ParallelDropout})
     * @param parallelism threads per call at most, the caller's included
     * @return the parallel form of {@code layer}
     * @throws IllegalArgumentException if {@code parallelism < 1}
     */
    public static ParallelGaussian of(GaussianDropout layer, Executor executor, int parallelism) {
        return new ParallelGaussian(new DropoutLayer(Objects.requireNonNull(layer, "layer")),
                calls(executor, parallelism));
    }

    /**
     * {@code layer} on {@code pool}, with up to the pool's parallelism in threads per call, the caller included.
     *
     * @param layer the gaussian noise to apply
     * @param pool  the pool its chunks run on
     * @return the parallel form of {@code layer}
     */
    public static ParallelGaussian of(GaussianNoise layer, ForkJoinPool pool) {
        return new ParallelGaussian(new NoiseLayer(Objects.requireNonNull(layer, "layer")),
                calls(pool, Objects.requireNonNull(pool, "pool").getParallelism()));
    }

    /**
     * {@code layer} on {@code executor}, using up to {@code parallelism} threads per call (the caller's included).
     *
     * @param layer       the gaussian noise to apply
     * @param executor    runs the chunks; it may be busy, serial or reject tasks (the caller then does the work), but
     *                    its {@code execute} must not block (see {@link ParallelDropout})
     * @param parallelism threads per call at most, the caller's included
     * @return the parallel form of {@code layer}
     * @throws IllegalArgumentException if {@code parallelism < 1}
     */
    public static ParallelGaussian of(GaussianNoise layer, Executor executor, int parallelism) {
        return new ParallelGaussian(new NoiseLayer(Objects.requireNonNull(layer, "layer")),
                calls(executor, parallelism));
    }

    /**
     * The same, running regions shorter than {@code length} inline ({@code 0}: split every region longer than
     * {@link #minChunkLength()}).
     *
     * @param length the shortest region that is split over threads
     * @return a parallel layer with that threshold and everything else as this one
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public ParallelGaussian withMinParallelLength(int length) {
        return new ParallelGaussian(layer, calls.withMinParallelLength(length));
    }

    /**
     * The same, with chunks of at least {@code length} elements instead of {@value #MIN_CHUNK}.
     *
     * @param length the shortest chunk, in elements
     * @return a parallel layer with that chunk length and everything else as this one
     * @throws IllegalArgumentException if {@code length} is not a positive multiple of
     *                                  {@value ParallelDropout#ALIGNMENT}
     */
    public ParallelGaussian withMinChunkLength(int length) {
        return new ParallelGaussian(layer, calls.withMinChunkLength(length));
    }

    /** {@return threads per call at most, the caller's included} */
    public int parallelism() {
        return calls.parallelism();
    }

    /** {@return the region length below which a call runs inline on the caller's thread} */
    public int minParallelLength() {
        return calls.minParallelLength();
    }

    /** {@return the shortest chunk handed to a thread} (a region's last chunk may be shorter) */
    public int minChunkLength() {
        return calls.minChunkLength();
    }

    /**
     * The layer's training forward ({@link GaussianDropout#forward(long, long, float[], int, float[], int, int)},
     * {@link GaussianNoise#forward(long, long, float[], int, float[], int, int)}) on several threads.
     *
     * @param seed         the seed of the normal stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] y, int yOffset, int length) {
        NormalBlocks.check(layer.layout(), streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        split(seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * The layer's backward on several threads: gaussian dropout's regenerating backward; gaussian noise's
     * identity, on the caller's thread.
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
        NormalBlocks.check(layer.layout(), streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        if (layer.identityBackward()) {
            NormalBlocks.identity(layer.layout(), "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        } else {
            split(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
        }
    }

    /**
     * The layer's float64 training forward on several threads.
     *
     * @param seed         the seed of the normal stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0})
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] y, int yOffset, int length) {
        NormalBlocks.check(layer.layout(), streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        split(seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * The layer's float64 backward on several threads (gaussian noise's: the identity, on the caller's thread).
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
        NormalBlocks.check(layer.layout(), streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        if (layer.identityBackward()) {
            NormalBlocks.identity(layer.layout(), "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        } else {
            split(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
        }
    }

    /**
     * The layer's training forward over float32 memory segments (heap or native) on several threads.
     *
     * @param seed         the seed of the normal stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}, in elements
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}, in elements
     * @param length       the number of elements ({@code >= 0})
     */
    public void forwardFloats(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                              long yOffset, long length) {
        NormalSegmentBlocks.checkFloats(layer.layout(), streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        split(false, seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * The layer's backward over float32 memory segments on several threads (gaussian noise's: the identity, a
     * copy on the caller's thread).
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}, in elements
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}, in elements
     * @param length       the number of elements ({@code >= 0})
     */
    public void backwardFloats(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                               long dxOffset, long length) {
        NormalSegmentBlocks.checkFloats(layer.layout(), streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        if (layer.identityBackward()) {
            NormalSegmentBlocks.copy(ValueLayout.JAVA_FLOAT_UNALIGNED, dy, dyOffset, dx, dxOffset, length);
        } else {
            split(false, seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
        }
    }

    /**
     * The layer's training forward over float64 memory segments on several threads.
     *
     * @param seed         the seed of the normal stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}, in elements
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}, in elements
     * @param length       the number of elements ({@code >= 0})
     */
    public void forwardDoubles(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                               long yOffset, long length) {
        NormalSegmentBlocks.checkDoubles(layer.layout(), streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        split(true, seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * The layer's backward over float64 memory segments on several threads (gaussian noise's: the identity, a
     * copy on the caller's thread).
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}, in elements
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}, in elements
     * @param length       the number of elements ({@code >= 0})
     */
    public void backwardDoubles(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                                long dxOffset, long length) {
        NormalSegmentBlocks.checkDoubles(layer.layout(), streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        if (layer.identityBackward()) {
            NormalSegmentBlocks.copy(ValueLayout.JAVA_DOUBLE_UNALIGNED, dy, dyOffset, dx, dxOffset, length);
        } else {
            split(true, seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
        }
    }

    /** Arguments are valid. Inline below the threshold, else chunked over the executor. */
    private void split(long seed, long e, float[] x, int xOff, float[] y, int yOff, int length) {
        long chunkLength = calls.chunkLength(length);
        if (chunkLength >= length) {
            layer.chunk(seed, e, 0, x, xOff, y, yOff, length);
            return;
        }
        calls.run((from, n) -> layer.chunk(seed, e, from, x, xOff + (int) from, y, yOff + (int) from, (int) n),
                length, chunkLength);
    }

    private void split(long seed, long e, double[] x, int xOff, double[] y, int yOff, int length) {
        long chunkLength = calls.chunkLength(length);
        if (chunkLength >= length) {
            layer.chunk(seed, e, 0, x, xOff, y, yOff, length);
            return;
        }
        calls.run((from, n) -> layer.chunk(seed, e, from, x, xOff + (int) from, y, yOff + (int) from, (int) n),
                length, chunkLength);
    }

    /** Over segments of float64 values if {@code doubles}, else float32; inline when either is confined. */
    private void split(boolean doubles, long seed, long e, MemorySegment x, long xOff, MemorySegment y, long yOff,
                       long length) {
        long chunkLength = calls.chunkLength(length);
        if (chunkLength >= length || !ChunkedCalls.shareable(x, y)) {
            layer.chunk(doubles, seed, e, 0, x, xOff, y, yOff, length);
            return;
        }
        calls.run((from, n) -> layer.chunk(doubles, seed, e, from, x, xOff + from, y, yOff + from, n), length,
                chunkLength);
    }

    @Override
    public String toString() {
        return "ParallelGaussian[" + layer + ", " + calls + "]";
    }
}
