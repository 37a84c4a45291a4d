package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link Dropout} whose calls on large regions run on several threads of a caller-supplied {@link Executor}
 * (vecdrop never starts threads of its own), with results bit-identical to the single-call form for every
 * thread count, pool size and task order. Float32 and float64, over arrays and over memory segments
 * ({@code forwardFloats}, {@code forwardDoubles} and the like: heap or native; segments of a confined arena run
 * inline, since no other thread may touch them).
 *
 * <p>Why the results cannot differ: element {@code i} of a call is stream element {@code streamOffset + i}
 * whoever computes it, and the region is cut at multiples of {@value #ALIGNMENT} elements, so each packed mask
 * word belongs to exactly one chunk. Chunk {@code c} is the single call over its own sub-region. Per-channel
 * dropout ({@link Dropout#perChannel}) is cut likewise at whole runs (channels first) or samples (channels last)
 * whose decisions fill whole mask words ({@code 64 S} elements, or {@code C S * 64 / gcd(C, 64)}) when the call
 * writes or reads a mask, so a chunk's first decision starts a mask word; at whole runs or samples otherwise. A
 * chunk's stream offset is {@code streamOffset} plus the decisions before it. A masked call over one such granule or
 * less runs inline: with an odd {@code C} channels last, 64 samples (a forward that stores the mask of 64 images of
 * 224 x 224 x 3 runs on one thread; without a mask it splits by image).
 *
 * <p>How a call runs: all arguments are checked first, on the caller's thread, exactly as {@link Dropout}
 * checks them (the same check methods), so bad input throws before any task starts and nothing is written.
 * Regions shorter than {@link #minParallelLength()}, or not longer than {@link #minChunkLength()}, run inline:
 * the single call after a few comparisons and one dispatch. Longer ones are cut into chunks of at least
 * {@link #minChunkLength()} elements ({@value #MIN_CHUNK} unless set); {@code parallelism - 1} tasks are handed to
 * the executor and the caller works too. Every participant claims the next unclaimed chunk until none is left, then
 * the caller waits for the chunks still running, uninterruptibly (an interrupt stays set for the caller to see).
 * A task that starts late finds nothing to do, so an executor that is busy, serial, runs tasks in any order or
 * rejects them (then the caller does the work) cannot deadlock a call, as long as its {@code execute} returns: one
 * that blocks until it has room (a rejection handler that waits on a full queue, a semaphore-bounded wrapper) holds
 * the caller there, and deadlocks a call made from one of its own tasks. The call returns when every chunk is written;
 * an error thrown inside a chunk is rethrown to the caller (later ones suppressed into it) once every other chunk
 * is done, so the output is then partly new and partly as it was. An executor's failure other than
 * {@link RejectedExecutionException} on its first {@code execute} is thrown at once, before anything is written, once
 * the call has taken every chunk from the task that may still be queued; on a later one (or if that task has
 * already started), tasks handed out may be running, so the caller first finishes every chunk itself (the output is
 * then all new) and throws it after.
 *
 * <p>Thread-safety: immutable; calls on disjoint outputs may run concurrently (they share only the executor).
 * Allocation: none when a call runs inline; otherwise a fixed amount per call, independent of the region's
 * length: the chunk's closure, one job object with its counter and latch, plus what the executor allocates for
 * {@code parallelism - 1} submissions (a {@link ForkJoinPool} wraps each in a small task): about 210-270 bytes
 * with 2 threads, growing with the parallelism. A task the executor has not yet run holds the job, and so the
 * caller's arrays or segments, until it runs (and finds nothing to do): an executor that never runs its tasks keeps
 * them all, as {@code ForkJoinPool.commonPool()} does when its parallelism is set to 0 and a call asks for more
 * than one thread ({@code of(dropout, pool, parallelism)}; {@code of(dropout, pool)} then asks for one).
 * Per-channel dropout over short runs or rows also makes a small scratch (131 longs, and over segments 1,048 bytes
 * of native memory) on each thread's first such chunk: once per pool thread, but on every call with an executor that
 * starts a new platform thread per task (virtual threads share a few). {@link ForkJoinPool#commonPool()}'s workers
 * keep theirs, although JDK 25 clears their thread-locals whenever they go idle (kept by the worker's pool index).
 */
public final class ParallelDropout {

    /**
     * Element-wise chunk boundaries are multiples of this, so no 64-bit mask word is written by two threads
     * (per-channel ones: whole runs or samples, filling whole mask words where a mask is written or read).
     */
    public static final int ALIGNMENT = ChunkedCalls.ALIGNMENT;
    /** The smallest chunk handed to a thread: below this the hand-off costs more than the work. */
    public static final int MIN_CHUNK = 1 << 14;
    /**
     * Default {@link #minParallelLength()}: the region length from which two threads beat one, measured on a
     * 2-core AVX-512 VM with a {@link ForkJoinPool} (docs/benchmarks.md, "Multi-threaded").
     */
    public static final int DEFAULT_MIN_PARALLEL_LENGTH = 1 << 17;

    private final Dropout dropout;
    /** The dropout's layout: a chunk from element {@code from} starts at decision {@code layout.decisions(from)}. */
    private final ChannelLayout layout;
    /** Calls without a mask cut at multiples of this ({@link ChannelLayout#granule}). */
    private final long granule;
    /** Calls that write or read a mask cut at multiples of this ({@link ChannelLayout#maskGranule}). */
    private final long maskGranule;
    private final ChunkedCalls calls;
    private final SegmentCalls floatCalls;
    private final SegmentCalls doubleCalls;

    private ParallelDropout(Dropout dropout, ChunkedCalls calls) {
        this.dropout = dropout;
        this.layout = dropout.layout();
        this.granule = layout.granule();
        this.maskGranule = layout.maskGranule();
        this.calls = calls;
        this.floatCalls = new FloatSegmentCalls(dropout.floatSegments());
        this.doubleCalls = new DoubleSegmentCalls(dropout.doubleSegments());
    }

    /** Checks the dropout first, then the executor and thread count, as before the chunk loop moved out. */
    private ParallelDropout(Dropout dropout, Executor executor, int parallelism) {
        this(Objects.requireNonNull(dropout, "dropout"),
                new ChunkedCalls(executor, parallelism, DEFAULT_MIN_PARALLEL_LENGTH, MIN_CHUNK));
    }

    /**
     * {@code dropout} on {@code pool}, with up to the pool's parallelism in threads per call, the caller
     * included (so one pool thread stays free on a pool of {@code parallelism} threads). The common pool has
     * {@code cores - 1} threads: on it, use {@link #of(Dropout, Executor, int)} with the core count.
     *
     * @param dropout the dropout to apply
     * @param pool    the pool its chunks run on
     * @return the parallel form of {@code dropout}
     */
    public static ParallelDropout of(Dropout dropout, ForkJoinPool pool) {
        return new ParallelDropout(dropout, pool, Objects.requireNonNull(pool, "pool").getParallelism());
    }

    /**
     * {@code dropout} on {@code executor}, using up to {@code parallelism} threads per call (the caller's
     * included).
     *
     * @param dropout     the dropout to apply
     * @param executor    runs the chunks; it may be busy, serial or reject tasks (the caller then does the work), but
     *                    its {@code execute} must not block (see the class comment)
     * @param parallelism threads per call at most, the caller's included
     * @return the parallel form of {@code dropout}
     * @throws IllegalArgumentException if {@code parallelism < 1}
     */
    public static ParallelDropout of(Dropout dropout, Executor executor, int parallelism) {
        return new ParallelDropout(dropout, executor, parallelism);
    }

    /**
     * The same, running regions shorter than {@code length} inline ({@code 0}: split every region longer than
     * {@link #minChunkLength()}).
     *
     * @param length the shortest region that is split over threads
     * @return a parallel dropout with that threshold and everything else as this one
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public ParallelDropout withMinParallelLength(int length) {
        return new ParallelDropout(dropout, calls.withMinParallelLength(length));
    }

    /**
     * The same, with chunks of at least {@code length} elements instead of {@value #MIN_CHUNK}: smaller chunks
     * spread short regions over more threads (and exercise chunk boundaries in tests), at more hand-offs.
     *
     * @param length the shortest chunk, in elements
     * @return a parallel dropout with that chunk length and everything else as this one
     * @throws IllegalArgumentException if {@code length} is not a positive multiple of {@value #ALIGNMENT}
     */
    public ParallelDropout withMinChunkLength(int length) {
        return new ParallelDropout(dropout, calls.withMinChunkLength(length));
    }

    /** {@return the dropout applied} */
    public Dropout dropout() {
        return dropout;
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
     * {@link Dropout#forward(long, long, float[], int, float[], int, int)} on several threads.
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
        dropout.floats().checkUnary(streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        run(Operation.FORWARD, seed, streamOffset, x, xOffset, y, yOffset, length, null, 0);
    }

    /**
     * {@link Dropout#forward(long, long, float[], int, float[], int, int, long[], int)} on several threads.
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
        dropout.floats().checkForwardWithMask(streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        run(Operation.FORWARD_MASKED, seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
    }

    /**
     * {@link Dropout#backward(long, long, float[], int, float[], int, int)} on several threads.
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
        dropout.floats().checkUnary(streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        run(Operation.BACKWARD, seed, streamOffset, dy, dyOffset, dx, dxOffset, length, null, 0);
    }

    /**
     * {@link Dropout#backward(long[], int, float[], int, float[], int, int)} on several threads.
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
        dropout.floats().checkBackwardFromMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        run(Operation.BACKWARD_FROM_BITS, 0, 0, dy, dyOffset, dx, dxOffset, length, mask, maskOffset);
    }

    /**
     * {@link Dropout#eval(float[], int, float[], int, int)} on several threads.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void eval(float[] x, int xOffset, float[] y, int yOffset, int length) {
        dropout.floats().checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        run(Operation.EVAL, 0, 0, x, xOffset, y, yOffset, length, null, 0);
    }

    /**
     * {@link Dropout#mask(long, long, long[], int, int)} on several threads.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param mask         the packed keep bits, written: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the first mask word written
     * @param length       the number of elements
     */
    public void mask(long seed, long streamOffset, long[] mask, int maskOffset, int length) {
        dropout.floats().checkMaskOnly(streamOffset, mask, maskOffset, length);
        run(Operation.MASK_ONLY, seed, streamOffset, null, 0, null, 0, length, mask, maskOffset);
    }

    /**
     * {@link Dropout#forward(long, long, double[], int, double[], int, int)} on several threads.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] y, int yOffset, int length) {
        DoubleArrayDropout d = dropout.doubles();
        d.checkUnary(streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        long chunkLength = calls.chunkLength(length, granule);
        if (chunkLength >= length) {
            d.forwardTrusted(seed, streamOffset, x, xOffset, y, yOffset, length);
            return;
        }
        calls.run((from, n) -> d.forwardTrusted(seed, chunkStream(streamOffset, from), x, xOffset + (int) from, y,
                yOffset + (int) from, (int) n), length, chunkLength);
    }

    /**
     * {@link Dropout#forward(long, long, double[], int, double[], int, int, long[], int)} on several threads.
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
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] y, int yOffset, int length,
                        long[] mask, int maskOffset) {
        DoubleArrayDropout d = dropout.doubles();
        d.checkForwardWithMask(streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        long chunkLength = calls.chunkLength(length, maskGranule);
        if (chunkLength >= length) {
            d.forwardTrusted(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
            return;
        }
        calls.run((from, n) -> d.forwardTrusted(seed, chunkStream(streamOffset, from), x, xOffset + (int) from, y,
                yOffset + (int) from, (int) n, mask, (int) chunkMask(maskOffset, from)), length, chunkLength);
    }

    /**
     * {@link Dropout#backward(long, long, double[], int, double[], int, int)} on several threads.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0, as given to the forward ({@code >= 0})
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backward(long seed, long streamOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                         int length) {
        DoubleArrayDropout d = dropout.doubles();
        d.checkUnary(streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        long chunkLength = calls.chunkLength(length, granule);
        if (chunkLength >= length) {
            d.backwardTrusted(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
            return;
        }
        calls.run((from, n) -> d.backwardTrusted(seed, chunkStream(streamOffset, from), dy, dyOffset + (int) from, dx,
                dxOffset + (int) from, (int) n), length, chunkLength);
    }

    /**
     * {@link Dropout#backward(long[], int, double[], int, double[], int, int)} on several threads.
     *
     * @param mask         the packed keep bits a forward stored
     * @param maskOffset   the mask word of element 0 of the region
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy} (same offset) for in-place
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backward(long[] mask, int maskOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                         int length) {
        DoubleArrayDropout d = dropout.doubles();
        d.checkBackwardFromMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        long chunkLength = calls.chunkLength(length, maskGranule);
        if (chunkLength >= length) {
            d.applyMaskTrusted(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
            return;
        }
        calls.run((from, n) -> d.applyMaskTrusted(mask, (int) chunkMask(maskOffset, from), dy, dyOffset + (int) from,
                dx, dxOffset + (int) from, (int) n), length, chunkLength);
    }

    /**
     * {@link Dropout#eval(double[], int, double[], int, int)} on several threads.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x} (same offset) for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void eval(double[] x, int xOffset, double[] y, int yOffset, int length) {
        DoubleArrayDropout d = dropout.doubles();
        d.checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        long chunkLength = calls.chunkLength(length, granule);
        if (chunkLength >= length) {
            d.evalTrusted(x, xOffset, y, yOffset, length);
            return;
        }
        calls.run((from, n) -> d.evalTrusted(x, xOffset + (int) from, y, yOffset + (int) from, (int) n), length,
                chunkLength);
    }

    /**
     * {@link FloatSegmentDropout#forward(long, long, MemorySegment, long, MemorySegment, long, long)}
     * on several threads (float32 values; offsets and the length count elements). Segments of a confined arena
     * run inline.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     */
    public void forwardFloats(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                             long yOffset, long length) {
        forward(floatCalls, seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * {@link FloatSegmentDropout#forward(long, long, MemorySegment, long, MemorySegment, long, long, MemorySegment, long)}
     * on several threads (float32 values; the mask offset counts 64-bit words).
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     * @param mask         the packed keep bits, written: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the first mask word written
     */
    public void forwardFloats(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                             long yOffset, long length, MemorySegment mask, long maskOffset) {
        forward(floatCalls, seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
    }

    /**
     * {@link FloatSegmentDropout#backward(long, long, MemorySegment, long, MemorySegment, long, long)}
     * on several threads.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0, as given to the forward ({@code >= 0})
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backwardFloats(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                              long dxOffset, long length) {
        backward(floatCalls, seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * {@link FloatSegmentDropout#backward(MemorySegment, long, MemorySegment, long, MemorySegment, long, long)}
     * on several threads.
     *
     * @param mask       the packed keep bits a forward stored
     * @param maskOffset the mask word of element 0 of the region
     * @param dy         the gradient of the output
     * @param dyOffset   where the gradient region starts in {@code dy}
     * @param dx         the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset   where the written region starts in {@code dx}
     * @param length     the number of elements
     */
    public void backwardFloats(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                              long dxOffset, long length) {
        backward(floatCalls, mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * {@link FloatSegmentDropout#eval(MemorySegment, long, MemorySegment, long, long)} on several threads.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void evalFloats(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        eval(floatCalls, x, xOffset, y, yOffset, length);
    }

    /**
     * {@link DoubleSegmentDropout#forward(long, long, MemorySegment, long, MemorySegment, long, long)}
     * on several threads (float64 values; offsets and the length count elements). Segments of a confined arena
     * run inline.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     */
    public void forwardDoubles(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                             long yOffset, long length) {
        forward(doubleCalls, seed, streamOffset, x, xOffset, y, yOffset, length);
    }

    /**
     * {@link DoubleSegmentDropout#forward(long, long, MemorySegment, long, MemorySegment, long, long, MemorySegment, long)}
     * on several threads (float64 values; the mask offset counts 64-bit words).
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param y            the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements
     * @param mask         the packed keep bits, written: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the first mask word written
     */
    public void forwardDoubles(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                             long yOffset, long length, MemorySegment mask, long maskOffset) {
        forward(doubleCalls, seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
    }

    /**
     * {@link DoubleSegmentDropout#backward(long, long, MemorySegment, long, MemorySegment, long, long)}
     * on several threads.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0, as given to the forward ({@code >= 0})
     * @param dy           the gradient of the output
     * @param dyOffset     where the gradient region starts in {@code dy}
     * @param dx           the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset     where the written region starts in {@code dx}
     * @param length       the number of elements
     */
    public void backwardDoubles(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                              long dxOffset, long length) {
        backward(doubleCalls, seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * {@link DoubleSegmentDropout#backward(MemorySegment, long, MemorySegment, long, MemorySegment, long, long)}
     * on several threads.
     *
     * @param mask       the packed keep bits a forward stored
     * @param maskOffset the mask word of element 0 of the region
     * @param dy         the gradient of the output
     * @param dyOffset   where the gradient region starts in {@code dy}
     * @param dx         the gradient of the input, written; may be {@code dy}'s memory at the same offset
     * @param dxOffset   where the written region starts in {@code dx}
     * @param length     the number of elements
     */
    public void backwardDoubles(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                              long dxOffset, long length) {
        backward(doubleCalls, mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * {@link DoubleSegmentDropout#eval(MemorySegment, long, MemorySegment, long, long)} on several threads.
     *
     * @param x       the input
     * @param xOffset where the input region starts in {@code x}
     * @param y       the output; may be {@code x}'s memory at the same offset for in-place
     * @param yOffset where the output region starts in {@code y}
     * @param length  the number of elements
     */
    public void evalDoubles(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        eval(doubleCalls, x, xOffset, y, yOffset, length);
    }

    /**
     * {@link FloatSegmentDropout#mask(long, long, MemorySegment, long, long)} on several threads (the bits do not
     * depend on the element type).
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param mask         the packed keep bits, written: {@code ceil(length / 64)} words from {@code maskOffset}
     * @param maskOffset   the first mask word written
     * @param length       the number of elements
     */
    public void mask(long seed, long streamOffset, MemorySegment mask, long maskOffset, long length) {
        FloatSegmentDropout d = dropout.floatSegments();
        d.checkMaskOnly(streamOffset, mask, maskOffset, length);
        long chunkLength = calls.chunkLength(length, maskGranule);
        if (chunkLength >= length || !ChunkedCalls.shareable(mask)) {
            d.maskTrusted(seed, streamOffset, mask, maskOffset, length);
            return;
        }
        calls.run((from, n) -> d.maskTrusted(seed, chunkStream(streamOffset, from), mask, chunkMask(maskOffset, from),
                n), length, chunkLength);
    }

    /**
     * The single call's segment operations of one element type, checks included: one adapter per type, so each
     * segment form below is written once for both.
     */
    private interface SegmentCalls {
        void checkUnary(long streamOffset, String inName, MemorySegment in, long inOffset, String outName,
                        MemorySegment out, long outOffset, long length);

        void checkForwardWithMask(long streamOffset, MemorySegment x, long xOffset, MemorySegment y, long yOffset,
                                  long length, MemorySegment mask, long maskOffset);

        void checkBackwardFromMask(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset,
                                   MemorySegment dx, long dxOffset, long length);

        void forward(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y, long yOffset,
                     long length);

        void forward(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y, long yOffset,
                     long length, MemorySegment mask, long maskOffset);

        void backward(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                      long dxOffset, long length);

        void applyMask(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                       long dxOffset, long length);

        void eval(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length);
    }

    private record FloatSegmentCalls(FloatSegmentDropout d) implements SegmentCalls {
        @Override
        public void checkUnary(long streamOffset, String inName, MemorySegment in, long inOffset, String outName,
                               MemorySegment out, long outOffset, long length) {
            d.checkUnary(streamOffset, inName, in, inOffset, outName, out, outOffset, length);
        }

        @Override
        public void checkForwardWithMask(long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                                         long yOffset, long length, MemorySegment mask, long maskOffset) {
            d.checkForwardWithMask(streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        }

        @Override
        public void checkBackwardFromMask(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset,
                                          MemorySegment dx, long dxOffset, long length) {
            d.checkBackwardFromMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        }

        @Override
        public void forward(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                            long yOffset, long length) {
            d.forwardTrusted(seed, streamOffset, x, xOffset, y, yOffset, length);
        }

        @Override
        public void forward(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                            long yOffset, long length, MemorySegment mask, long maskOffset) {
            d.forwardTrusted(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        }

        @Override
        public void backward(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                             long dxOffset, long length) {
            d.backwardTrusted(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
        }

        @Override
        public void applyMask(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                              long dxOffset, long length) {
            d.applyMaskTrusted(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        }

        @Override
        public void eval(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
            d.evalTrusted(x, xOffset, y, yOffset, length);
        }
    }

    private record DoubleSegmentCalls(DoubleSegmentDropout d) implements SegmentCalls {
        @Override
        public void checkUnary(long streamOffset, String inName, MemorySegment in, long inOffset, String outName,
                               MemorySegment out, long outOffset, long length) {
            d.checkUnary(streamOffset, inName, in, inOffset, outName, out, outOffset, length);
        }

        @Override
        public void checkForwardWithMask(long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                                         long yOffset, long length, MemorySegment mask, long maskOffset) {
            d.checkForwardWithMask(streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        }

        @Override
        public void checkBackwardFromMask(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset,
                                          MemorySegment dx, long dxOffset, long length) {
            d.checkBackwardFromMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        }

        @Override
        public void forward(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                            long yOffset, long length) {
            d.forwardTrusted(seed, streamOffset, x, xOffset, y, yOffset, length);
        }

        @Override
        public void forward(long seed, long streamOffset, MemorySegment x, long xOffset, MemorySegment y,
                            long yOffset, long length, MemorySegment mask, long maskOffset) {
            d.forwardTrusted(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        }

        @Override
        public void backward(long seed, long streamOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                             long dxOffset, long length) {
            d.backwardTrusted(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
        }

        @Override
        public void applyMask(MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset, MemorySegment dx,
                              long dxOffset, long length) {
            d.applyMaskTrusted(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        }

        @Override
        public void eval(MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
            d.evalTrusted(x, xOffset, y, yOffset, length);
        }
    }

    /** The segment forward: checked, then inline (or any segment confined) or split. */
    private void forward(SegmentCalls d, long seed, long streamOffset, MemorySegment x, long xOffset,
                         MemorySegment y, long yOffset, long length) {
        d.checkUnary(streamOffset, "x", x, xOffset, "y", y, yOffset, length);
        long chunkLength = calls.chunkLength(length, granule);
        if (chunkLength >= length || !ChunkedCalls.shareable(x, y)) {
            d.forward(seed, streamOffset, x, xOffset, y, yOffset, length);
            return;
        }
        calls.run((from, n) -> d.forward(seed, chunkStream(streamOffset, from), x, xOffset + from, y,
                yOffset + from, n), length, chunkLength);
    }

    /** The segment forward that stores the mask: a chunk's mask words start at word {@code from / 64}. */
    private void forward(SegmentCalls d, long seed, long streamOffset, MemorySegment x, long xOffset,
                         MemorySegment y, long yOffset, long length, MemorySegment mask, long maskOffset) {
        d.checkForwardWithMask(streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
        long chunkLength = calls.chunkLength(length, maskGranule);
        if (chunkLength >= length || !ChunkedCalls.shareable(x, y, mask)) {
            d.forward(seed, streamOffset, x, xOffset, y, yOffset, length, mask, maskOffset);
            return;
        }
        calls.run((from, n) -> d.forward(seed, chunkStream(streamOffset, from), x, xOffset + from, y,
                yOffset + from, n, mask, chunkMask(maskOffset, from)), length, chunkLength);
    }

    private void backward(SegmentCalls d, long seed, long streamOffset, MemorySegment dy, long dyOffset,
                          MemorySegment dx, long dxOffset, long length) {
        d.checkUnary(streamOffset, "dy", dy, dyOffset, "dx", dx, dxOffset, length);
        long chunkLength = calls.chunkLength(length, granule);
        if (chunkLength >= length || !ChunkedCalls.shareable(dy, dx)) {
            d.backward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
            return;
        }
        calls.run((from, n) -> d.backward(seed, chunkStream(streamOffset, from), dy, dyOffset + from, dx,
                dxOffset + from, n), length, chunkLength);
    }

    private void backward(SegmentCalls d, MemorySegment mask, long maskOffset, MemorySegment dy, long dyOffset,
                          MemorySegment dx, long dxOffset, long length) {
        d.checkBackwardFromMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
        long chunkLength = calls.chunkLength(length, maskGranule);
        if (chunkLength >= length || !ChunkedCalls.shareable(dy, dx, mask)) {
            d.applyMask(mask, maskOffset, dy, dyOffset, dx, dxOffset, length);
            return;
        }
        calls.run((from, n) -> d.applyMask(mask, chunkMask(maskOffset, from), dy, dyOffset + from, dx,
                dxOffset + from, n), length, chunkLength);
    }

    private void eval(SegmentCalls d, MemorySegment x, long xOffset, MemorySegment y, long yOffset, long length) {
        d.checkUnary(0, "x", x, xOffset, "y", y, yOffset, length);
        long chunkLength = calls.chunkLength(length, granule);
        if (chunkLength >= length || !ChunkedCalls.shareable(x, y)) {
            d.eval(x, xOffset, y, yOffset, length);
            return;
        }
        calls.run((from, n) -> d.eval(x, xOffset + from, y, yOffset + from, n), length, chunkLength);
    }

    /** {@return the stream offset of the chunk from region element {@code from}: its first decision's} */
    private long chunkStream(long streamOffset, long from) {
        return streamOffset + layout.decisions(from);
    }

    /** {@return the first mask word of the chunk from region element {@code from}: its first decision is a word's} */
    private long chunkMask(long maskOffset, long from) {
        return maskOffset + (layout.decisions(from) >>> 6);
    }

    /** Arguments are valid. Inline below the threshold, else chunked over the executor. */
    private void run(Operation operation, long seed, long streamOffset, float[] in, int inOffset, float[] out,
                     int outOffset, int length, long[] mask, int maskOffset) {
        long chunkLength = calls.chunkLength(length, mask == null ? granule : maskGranule); // a mask: its words
        if (chunkLength >= length) {
            operation.apply(dropout, seed, streamOffset, in, inOffset, out, outOffset, length, mask, maskOffset);
            return;
        }
        calls.run((from, n) -> { // from starts a run or sample; with a mask, a word of its decisions too
            int at = (int) from;
            operation.apply(dropout, seed, chunkStream(streamOffset, from), in, in == null ? 0 : inOffset + at, out,
                    out == null ? 0 : outOffset + at, (int) n, mask, (int) chunkMask(maskOffset, from));
        }, length, chunkLength);
    }

    /** What a chunk runs: the single-threaded call over its sub-region. */
    private enum Operation {
        /** Training forward without mask. */
        FORWARD {
            @Override
            void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out, int outOffset,
                       int length, long[] mask, int maskOffset) {
                d.floats().forwardTrusted(seed, streamOffset, in, inOffset, out, outOffset, length);
            }
        },
        /** The regenerating backward (the forward too, except for alpha dropout, whose forward is affine). */
        BACKWARD {
            @Override
            void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out, int outOffset,
                       int length, long[] mask, int maskOffset) {
                d.floats().backwardTrusted(seed, streamOffset, in, inOffset, out, outOffset, length);
            }
        },
        FORWARD_MASKED {
            @Override
            void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out, int outOffset,
                       int length, long[] mask, int maskOffset) {
                d.floats().forwardTrusted(seed, streamOffset, in, inOffset, out, outOffset, length, mask, maskOffset);
            }
        },
        MASK_ONLY {
            @Override
            void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out, int outOffset,
                       int length, long[] mask, int maskOffset) {
                d.floats().maskTrusted(seed, streamOffset, mask, maskOffset, length);
            }
        },
        BACKWARD_FROM_BITS {
            @Override
            void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out, int outOffset,
                       int length, long[] mask, int maskOffset) {
                d.floats().applyMaskTrusted(mask, maskOffset, in, inOffset, out, outOffset, length);
            }
        },
        EVAL {
            @Override
            void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out, int outOffset,
                       int length, long[] mask, int maskOffset) {
                d.floats().evalTrusted(in, inOffset, out, outOffset, length);
            }
        };

        abstract void apply(Dropout d, long seed, long streamOffset, float[] in, int inOffset, float[] out,
                            int outOffset, int length, long[] mask, int maskOffset);
    }

    @Override
    public String toString() {
        return "ParallelDropout[" + dropout + ", " + calls + "]";
    }
}
