package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.kernel.ForwardingFloatArrayKernels;
import dev.vecdrop.scalar.ScalarFloatArrayKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parallel form equals the single call bit for bit, whatever the thread count, pool, task order or chunk
 * cuts; bad input throws before any task starts; a failure inside a chunk reaches the caller. In the default leg
 * and the scalar one (the verifier runs the parallel forms at every width).
 */
@Tag("semantics")
class ParallelDropoutTest {

    private static final int GUARD = 5;
    /** Where inputs start: not {@code GUARD}, where outputs start. */
    private static final int X = 2;
    /** Where masks start, in words. */
    private static final int M = 3;
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_0bad);
    private static final long SENTINEL_WORD = 0x5EED_0BAD_5EED_0BADL;
    private static final List<ForkJoinPool> POOLS = new ArrayList<>();

    @AfterAll
    static void shutDownPools() {
        POOLS.forEach(ForkJoinPool::shutdownNow);
    }

    private static ForkJoinPool pool(int threads) {
        ForkJoinPool pool = new ForkJoinPool(threads);
        POOLS.add(pool);
        return pool;
    }

    /** Lengths at and around the chunk and word boundaries that {@link ChunkedCalls#chunkLength} makes. */
    private static int[] lengths() {
        int c = ParallelDropout.MIN_CHUNK;
        return new int[] {0, 1, 63, c - 1, c, c + 1, 2 * c - 1, 2 * c, 2 * c + 1, 2 * c + 63, 3 * c + 65, 100_003};
    }

    private static float[] inputs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(50) == 0 ? Float.NaN : (float) random.nextGaussian();
        }
        return x;
    }

    private static float[] output(int n) {
        float[] y = new float[n + 2 * GUARD];
        Arrays.fill(y, SENTINEL);
        return y;
    }

    private static long[] words(int n) {
        long[] m = new long[Dropout.maskWords(n) + 2 * GUARD];
        Arrays.fill(m, SENTINEL_WORD);
        return m;
    }

    private static int[] bits(float[] a) {
        return DropoutSemanticsTest.rawBits(a);
    }

    /**
     * Every operation of {@code parallel} against {@code single} for one length and stream offset. Input, output
     * and mask sit at different offsets ({@code X}, {@code GUARD}, {@code M}), so a chunk that took one for
     * another would be caught, and the input must come back unchanged.
     */
    private static void assertSameAsSingleCall(ParallelDropout parallel, Dropout single, int n, long streamOffset) {
        long seed = 77 + n;
        float[] x = new float[n + 2 * GUARD];
        System.arraycopy(inputs(n, seed), 0, x, X, n);
        float[] original = x.clone();
        String at = parallel + " n=" + n + " streamOffset=" + streamOffset;

        float[] yp = output(n), ys = output(n);
        parallel.forward(seed, streamOffset, x, X, yp, GUARD, n);
        single.forward(seed, streamOffset, x, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "forward " + at);

        long[] mp = words(n), ms = words(n);
        yp = output(n);
        ys = output(n);
        parallel.forward(seed, streamOffset, x, X, yp, GUARD, n, mp, M);
        single.forward(seed, streamOffset, x, X, ys, GUARD, n, ms, M);
        assertArrayEquals(bits(ys), bits(yp), "forward+mask values " + at);
        assertArrayEquals(ms, mp, "forward+mask bits " + at);

        long[] mp2 = words(n), ms2 = words(n);
        parallel.mask(seed, streamOffset, mp2, M, n);
        single.mask(seed, streamOffset, ms2, M, n);
        assertArrayEquals(ms2, mp2, "mask " + at);

        yp = output(n);
        ys = output(n);
        parallel.backward(ms, M, x, X, yp, GUARD, n);
        single.backward(ms, M, x, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "backward from bits " + at);

        yp = output(n);
        ys = output(n);
        parallel.backward(seed, streamOffset, x, X, yp, GUARD, n);
        single.backward(seed, streamOffset, x, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "backward by regeneration " + at);

        yp = output(n);
        ys = output(n);
        parallel.eval(x, X, yp, GUARD, n);
        single.eval(x, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "eval " + at);
        assertArrayEquals(bits(original), bits(x), "an out-of-place call wrote into its input " + at);

        yp = x.clone();
        ys = x.clone();
        parallel.forward(seed, streamOffset, yp, X, yp, X, n);
        single.forward(seed, streamOffset, ys, X, ys, X, n);
        assertArrayEquals(bits(ys), bits(yp), "forward in place " + at);
        // The float64 forms at one pool size and two offsets (an odd one): the same chunk loop, other kernels.
        // (p = 0 and p = 1 are shortcuts the float32 forms already hold to the single call's.)
        boolean shortcut = single.p() == 0 || single.p() == 1;
        if (parallel.parallelism() == FLOAT64_THREADS && !shortcut && (streamOffset == 0 || streamOffset == 63)) {
            assertSameAsSingleCallFloat64(parallel, single, x, n, seed, streamOffset, at);
            if (streamOffset == 63) { // the segment forms at the odd offset: the same chunk loop, segment kernels
                assertSameAsSingleCallSegments(parallel, single, x, n, seed, streamOffset, at);
            }
        }
    }

    /** The pool size the float64 forms are compared at (at every size and offset they cost seconds more). */
    private static final int FLOAT64_THREADS = 3;

    /**
     * The segment forms: float32 values in a native segment of an automatic arena (the pool's threads read it),
     * outputs on the heap, masks native (filled with a sentinel first) and on the heap; float64 values in heap
     * segments; the mask alone; a forward in place.
     */
    private static void assertSameAsSingleCallSegments(ParallelDropout parallel, Dropout single, float[] x, int n,
                                                       long seed, long e, String at) {
        { // an automatic arena: the pool's threads may read it, and no shared-arena close per call
            Arena arena = Arena.ofAuto();
            long sentinel = SENTINEL_WORD;
            MemorySegment xs = arena.allocate((long) x.length * Float.BYTES, Float.BYTES);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
            FloatSegmentDropout fs = single.floatSegments();
            float[] yp = output(n), ys = output(n);
            parallel.forwardFloats(seed, e, xs, X, MemorySegment.ofArray(yp), GUARD, n);
            fs.forward(seed, e, xs, X, MemorySegment.ofArray(ys), GUARD, n);
            assertArrayEquals(bits(ys), bits(yp), "segment forward " + at);
            MemorySegment mp = arena.allocate((long) words(n).length * Long.BYTES, Long.BYTES);
            MemorySegment ms = arena.allocate(mp.byteSize(), Long.BYTES);
            mp.fill((byte) sentinel);
            ms.fill((byte) sentinel);
            yp = output(n);
            ys = output(n);
            parallel.forwardFloats(seed, e, xs, X, MemorySegment.ofArray(yp), GUARD, n, mp, M);
            fs.forward(seed, e, xs, X, MemorySegment.ofArray(ys), GUARD, n, ms, M);
            assertArrayEquals(bits(ys), bits(yp), "segment forward+mask values " + at);
            assertArrayEquals(ms.toArray(ValueLayout.JAVA_LONG), mp.toArray(ValueLayout.JAVA_LONG),
                    "segment forward+mask bits " + at);
            yp = output(n);
            ys = output(n);
            parallel.backwardFloats(ms, M, xs, X, MemorySegment.ofArray(yp), GUARD, n);
            fs.backward(ms, M, xs, X, MemorySegment.ofArray(ys), GUARD, n);
            assertArrayEquals(bits(ys), bits(yp), "segment backward from bits " + at);
            yp = output(n);
            ys = output(n);
            parallel.backwardFloats(seed, e, xs, X, MemorySegment.ofArray(yp), GUARD, n);
            fs.backward(seed, e, xs, X, MemorySegment.ofArray(ys), GUARD, n);
            assertArrayEquals(bits(ys), bits(yp), "segment backward by regeneration " + at);
            yp = output(n);
            ys = output(n);
            parallel.evalFloats(xs, X, MemorySegment.ofArray(yp), GUARD, n);
            fs.eval(xs, X, MemorySegment.ofArray(ys), GUARD, n);
            assertArrayEquals(bits(ys), bits(yp), "segment eval " + at);
            MemorySegment mp2 = MemorySegment.ofArray(words(n));
            MemorySegment ms2 = MemorySegment.ofArray(words(n));
            parallel.mask(seed, e, mp2, M, n);
            fs.mask(seed, e, ms2, M, n);
            assertArrayEquals(ms2.toArray(ValueLayout.JAVA_LONG), mp2.toArray(ValueLayout.JAVA_LONG),
                    "segment mask " + at);

            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i] * 1.000000123;
            }
            MemorySegment xds = MemorySegment.ofArray(xd);
            DoubleSegmentDropout ds = single.doubleSegments();
            double[] dp = doubleOutput(n), dsOut = doubleOutput(n);
            MemorySegment mpd = MemorySegment.ofArray(words(n)); // fresh, sentinel-filled: the float64 forward's own
            MemorySegment msd = MemorySegment.ofArray(words(n));
            parallel.forwardDoubles(seed, e, xds, X, MemorySegment.ofArray(dp), GUARD, n, mpd, M);
            ds.forward(seed, e, xds, X, MemorySegment.ofArray(dsOut), GUARD, n, msd, M);
            assertArrayEquals(bits(dsOut), bits(dp), "float64 segment forward+mask values " + at);
            assertArrayEquals(msd.toArray(ValueLayout.JAVA_LONG), mpd.toArray(ValueLayout.JAVA_LONG),
                    "float64 segment forward+mask bits " + at);
            dp = doubleOutput(n);
            dsOut = doubleOutput(n);
            parallel.forwardDoubles(seed, e, xds, X, MemorySegment.ofArray(dp), GUARD, n);
            ds.forward(seed, e, xds, X, MemorySegment.ofArray(dsOut), GUARD, n);
            assertArrayEquals(bits(dsOut), bits(dp), "float64 segment forward " + at);
            dp = doubleOutput(n);
            dsOut = doubleOutput(n);
            parallel.backwardDoubles(ms, M, xds, X, MemorySegment.ofArray(dp), GUARD, n);
            ds.backward(ms, M, xds, X, MemorySegment.ofArray(dsOut), GUARD, n);
            assertArrayEquals(bits(dsOut), bits(dp), "float64 segment backward from bits " + at);
            dp = doubleOutput(n);
            dsOut = doubleOutput(n);
            parallel.backwardDoubles(seed, e, xds, X, MemorySegment.ofArray(dp), GUARD, n);
            ds.backward(seed, e, xds, X, MemorySegment.ofArray(dsOut), GUARD, n);
            assertArrayEquals(bits(dsOut), bits(dp), "float64 segment backward by regeneration " + at);
            dp = doubleOutput(n);
            dsOut = doubleOutput(n);
            parallel.evalDoubles(xds, X, MemorySegment.ofArray(dp), GUARD, n);
            ds.eval(xds, X, MemorySegment.ofArray(dsOut), GUARD, n);
            assertArrayEquals(bits(dsOut), bits(dp), "float64 segment eval " + at);
            float[] inPlaceP = x.clone();
            float[] inPlaceS = x.clone();
            parallel.forwardFloats(seed, e, MemorySegment.ofArray(inPlaceP), X, MemorySegment.ofArray(inPlaceP), X, n);
            fs.forward(seed, e, MemorySegment.ofArray(inPlaceS), X, MemorySegment.ofArray(inPlaceS), X, n);
            assertArrayEquals(bits(inPlaceS), bits(inPlaceP), "segment forward in place " + at);
        }
    }

    private static double[] doubleOutput(int n) {
        double[] y = new double[n + 2 * GUARD];
        Arrays.fill(y, Double.longBitsToDouble(0x7ff8_0000_0bad_0badL));
        return y;
    }

    private static long[] bits(double[] a) {
        return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /** The float64 operations, on {@code x} widened (and nudged off float values), as the float32 ones. */
    private static void assertSameAsSingleCallFloat64(ParallelDropout parallel, Dropout single, float[] x, int n,
                                                      long seed, long streamOffset, String at) {
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i] * 1.000000123;
        }
        double[] original = xd.clone();
        double[] yp = doubleOutput(n), ys = doubleOutput(n);
        parallel.forward(seed, streamOffset, xd, X, yp, GUARD, n);
        single.forward(seed, streamOffset, xd, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "float64 forward " + at);

        long[] mp = words(n), ms = words(n);
        yp = doubleOutput(n);
        ys = doubleOutput(n);
        parallel.forward(seed, streamOffset, xd, X, yp, GUARD, n, mp, M);
        single.forward(seed, streamOffset, xd, X, ys, GUARD, n, ms, M);
        assertArrayEquals(bits(ys), bits(yp), "float64 forward+mask values " + at);
        assertArrayEquals(ms, mp, "float64 forward+mask bits " + at);

        yp = doubleOutput(n);
        ys = doubleOutput(n);
        parallel.backward(ms, M, xd, X, yp, GUARD, n);
        single.backward(ms, M, xd, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "float64 backward from bits " + at);

        yp = doubleOutput(n);
        ys = doubleOutput(n);
        parallel.backward(seed, streamOffset, xd, X, yp, GUARD, n);
        single.backward(seed, streamOffset, xd, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "float64 backward by regeneration " + at);

        yp = doubleOutput(n);
        ys = doubleOutput(n);
        parallel.eval(xd, X, yp, GUARD, n);
        single.eval(xd, X, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "float64 eval " + at);
        assertArrayEquals(bits(original), bits(xd), "a float64 out-of-place call wrote into its input " + at);

        yp = xd.clone();
        ys = xd.clone();
        parallel.forward(seed, streamOffset, yp, X, yp, X, n);
        single.forward(seed, streamOffset, ys, X, ys, X, n);
        assertArrayEquals(bits(ys), bits(yp), "float64 forward in place " + at);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 7})
    void everyOperationEqualsTheSingleCallForEveryPoolSize(int threads) {
        ForkJoinPool pool = pool(threads);
        // At the pool size of the float64 and segment forms, alpha dropout too: its forward is affine, its backward
        // is not, so a chunk calling one for the other shows.
        Dropout[] dropouts = {Dropout.inverted(0.3), Dropout.classic(0.6), Dropout.inverted(0.0),
            Dropout.inverted(1.0), Dropout.alpha(0.2)};
        for (Dropout single : threads == FLOAT64_THREADS ? dropouts : Arrays.copyOf(dropouts, 4)) {
            ParallelDropout parallel = ParallelDropout.of(single, pool).withMinParallelLength(0);
            for (int n : lengths()) {
                for (long streamOffset : new long[] {0, 1, 63, (1L << 40) + 7}) {
                    assertSameAsSingleCall(parallel, single, n, streamOffset);
                }
            }
            ParallelDropout smallChunks = parallel.withMinChunkLength(64);
            for (int n = 0; n <= 200; n++) {
                assertSameAsSingleCall(smallChunks, single, n, n % 3);
            }
        }
    }

    /**
     * Per-channel dropout, cut at whole runs or samples whose decisions fill whole mask words: every operation and
     * form equals the single call, with chunks of at least 64 elements so that regions of a few granules are cut.
     * Runs of 5 (a granule of 64 runs is 21.3 samples), runs of 49, samples of 3 rows of 7, of 4 rows of 16, of
     * 100 channels (16 samples a granule) and of 1,024 rows of 3; inverted and alpha dropout.
     */
    @Test
    void perChannelDropoutEqualsTheSingleCall() {
        ForkJoinPool pool = pool(FLOAT64_THREADS);
        ChannelLayout[] layouts = {ChannelLayout.channelsFirst(3, 5), ChannelLayout.channelsFirst(64, 49),
            ChannelLayout.channelsLast(7, 3), ChannelLayout.channelsLast(4, 16), ChannelLayout.channelsLast(2, 100),
            ChannelLayout.channelsLast(1024, 3)};
        for (ChannelLayout layout : layouts) {
            int sample = layout.channels() * layout.positions();
            int perGranule = (int) ((layout.maskGranule() + sample - 1) / sample);
            for (Dropout d : new Dropout[] {Dropout.inverted(0.3), Dropout.alpha(0.2)}) {
                Dropout single = d.perChannel(layout);
                ParallelDropout parallel = ParallelDropout.of(single, pool).withMinParallelLength(0)
                        .withMinChunkLength(64);
                for (int samples : new int[] {1, perGranule + 1, 2 * perGranule + 3, 3 * perGranule}) {
                    for (long streamOffset : new long[] {0, 63}) {
                        assertSameAsSingleCall(parallel, single, samples * sample, streamOffset);
                    }
                }
            }
        }
    }

    /**
     * A per-channel call without a mask splits at whole samples; with a mask, written or read, only at samples whose
     * decisions fill whole mask words. Six samples of 1,024 rows of 3 (a mask's granule is 64 of them) split three
     * ways without a mask and run inline with one, and still equal the single call.
     */
    @Test
    void perChannelCallsWithoutAMaskSplitAtSamplesAndMaskedOnesAtMaskWords() {
        Dropout single = Dropout.inverted(0.3).perChannel(ChannelLayout.channelsLast(1024, 3));
        CountingExecutor counting = CountingExecutor.onCallersThread();
        ParallelDropout parallel = ParallelDropout.of(single, counting, 3).withMinParallelLength(0)
                .withMinChunkLength(64);
        int n = 6 * 3072;
        float[] x = inputs(n, 3);
        float[] y = new float[n];
        float[] expected = new float[n];
        single.forward(5, 11, x, 0, expected, 0, n);
        parallel.forward(5, 11, x, 0, y, 0, n);
        assertEquals(2, counting.submitted(), "a forward without a mask: three chunks of two samples");
        assertArrayEquals(bits(expected), bits(y));
        parallel.backward(5, 11, x, 0, y, 0, n);
        assertEquals(4, counting.submitted(), "a backward by regeneration splits too");
        assertArrayEquals(bits(expected), bits(y));
        long[] mask = new long[Dropout.maskWords(n)];
        parallel.forward(5, 11, x, 0, y, 0, n, mask, 0);
        parallel.backward(mask, 0, x, 0, y, 0, n);
        parallel.mask(5, 11, mask, 0, n);
        assertEquals(4, counting.submitted(), "with a mask: 18 decisions, under a word, inline");
        assertArrayEquals(bits(expected), bits(y));
    }

    @Test
    void moreThreadsThanThePoolHasAndTasksInRandomOrderChangeNothing() {
        Executor randomOrder = task -> Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(0, (int) (Math.random() * 500_000)); // start late, in no particular order
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
        Dropout single = Dropout.inverted(0.45);
        for (int threads : new int[] {2, 5, 16}) {
            ParallelDropout parallel = ParallelDropout.of(single, randomOrder, threads).withMinParallelLength(0)
                    .withMinChunkLength(ParallelDropout.ALIGNMENT); // many chunks, so late tasks do get some
            for (int n : lengths()) {
                assertSameAsSingleCall(parallel, single, n, 3);
            }
        }
    }

    /**
     * An executor whose {@code execute} fails with anything but a rejection: on the first task nothing is handed out,
     * so the call throws before writing; on a later one, tasks already out may be running, so the caller finishes
     * every chunk, all of the output is new, and then it throws (a review helper found the first case writing
     * everything before throwing, stop 32).
     */
    @Test
    void anExecutorThatFailsOnItsFirstTaskWritesNothingAndOnALaterOneWritesAll() {
        Dropout single = Dropout.inverted(0.3);
        int n = 5 * ParallelDropout.MIN_CHUNK + 17;
        float[] x = new float[n];
        Arrays.fill(x, 1.5f);
        float[] expected = new float[n];
        single.forward(9, 0, x, 0, expected, 0, n);
        for (int failOn = 0; failOn < 2; failOn++) {
            AtomicInteger tasks = new AtomicInteger();
            int failing = failOn;
            ForkJoinPool pool = new ForkJoinPool(2);
            try {
                Executor broken = task -> {
                    if (tasks.getAndIncrement() == failing) {
                        throw new IllegalStateException("broken executor");
                    }
                    pool.execute(task);
                };
                ParallelDropout parallel = ParallelDropout.of(single, broken, 4).withMinParallelLength(0);
                float[] y = new float[n];
                Arrays.fill(y, SENTINEL);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> parallel.forward(9, 0, x, 0, y, 0, n));
                assertEquals("broken executor", e.getMessage());
                if (failing == 0) {
                    float[] untouched = new float[n];
                    Arrays.fill(untouched, SENTINEL);
                    assertArrayEquals(untouched, y, "a failed first execute wrote output");
                } else {
                    assertArrayEquals(expected, y, "a failed later execute left output unwritten");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    /**
     * A first execute that queues its task and then throws, as a ForkJoinPool does when its thread factory fails: the
     * call throws, and the queued task, run later, writes nothing (a review helper saw it write the whole output a
     * second after the call had thrown, stop 32).
     */
    @Test
    void aTaskQueuedByAFailingExecuteWritesNothingAfterTheCallThrows() throws Exception {
        Dropout single = Dropout.inverted(0.3);
        int n = 5 * ParallelDropout.MIN_CHUNK + 17;
        float[] x = new float[n];
        Arrays.fill(x, 1.5f);
        ForkJoinPool pool = new ForkJoinPool(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            pool.execute(() -> { // the pool's one worker, busy until the call has thrown
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Executor queuesThenFails = task -> {
                pool.execute(task);
                throw new IllegalStateException("no more threads");
            };
            ParallelDropout parallel = ParallelDropout.of(single, queuesThenFails, 4).withMinParallelLength(0);
            float[] y = new float[n];
            Arrays.fill(y, SENTINEL);
            assertThrows(IllegalStateException.class, () -> parallel.forward(9, 0, x, 0, y, 0, n));
            release.countDown();
            assertTrue(pool.awaitQuiescence(30, java.util.concurrent.TimeUnit.SECONDS), "the pool never went quiet");
            float[] untouched = new float[n];
            Arrays.fill(untouched, SENTINEL);
            assertArrayEquals(untouched, y, "the queued task wrote after the call threw");
        } finally {
            release.countDown();
            pool.shutdown();
        }
    }

    @Test
    void anExecutorThatRejectsOrNeverRunsTasksLeavesTheWorkToTheCaller() {
        Dropout single = Dropout.classic(0.2);
        Executor rejecting = task -> {
            throw new RejectedExecutionException("full");
        };
        List<Runnable> parked = new ArrayList<>();
        Executor never = parked::add;
        for (Executor executor : new Executor[] {rejecting, never}) {
            ParallelDropout parallel = ParallelDropout.of(single, executor, 4).withMinParallelLength(0);
            assertSameAsSingleCall(parallel, single, 5 * ParallelDropout.MIN_CHUNK + 17, 1);
        }
        assertTrue(parked.size() > 0, "the never-running executor was never asked");
        parked.forEach(Runnable::run); // late tasks find every chunk claimed and write nothing
    }

    @Test
    void segmentsOfAConfinedArenaRunOnTheCallersThreadAloneAndBadSegmentsThrowFirst() {
        CountingExecutor counting = CountingExecutor.onCallersThread();
        Dropout single = Dropout.inverted(0.4);
        ParallelDropout parallel = ParallelDropout.of(single, counting, 4).withMinParallelLength(0);
        int n = 4 * ParallelDropout.MIN_CHUNK;
        float[] x = inputs(n, 5);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment xs = confined.allocate((long) n * Float.BYTES, Float.BYTES);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, n);
            MemorySegment ys = confined.allocate((long) n * Float.BYTES, Float.BYTES);
            MemorySegment mask = confined.allocate((long) Dropout.maskWords(n) * Long.BYTES, Long.BYTES);
            parallel.forwardFloats(3, 1, xs, 0, ys, 0, n, mask, 0);
            parallel.backwardFloats(mask, 0, ys, 0, ys, 0, n);
            parallel.mask(3, 1, mask, 0, n);
            // Only the mask confined: the heap values may go to other threads, the mask may not.
            float[] heapY = new float[n];
            parallel.forwardFloats(3, 1, MemorySegment.ofArray(x), 0, MemorySegment.ofArray(heapY), 0, n, mask, 0);
            parallel.backwardFloats(mask, 0, MemorySegment.ofArray(heapY), 0, MemorySegment.ofArray(heapY), 0, n);
            assertEquals(0, counting.submitted(), "a confined segment was handed to another thread");
            float[] want = new float[n];
            single.forward(3, 1, x, 0, want, 0, n);
            single.backward(mask.toArray(ValueLayout.JAVA_LONG), 0, want, 0, want, 0, n);
            assertArrayEquals(bits(want), bits(ys.toArray(ValueLayout.JAVA_FLOAT)));
            // A mask one word short, and overlapping its input: the single call's exception, before any task.
            MemorySegment shortMask = mask.asSlice(0, mask.byteSize() - Long.BYTES);
            MemorySegment heap = MemorySegment.ofArray(new float[n]);
            RuntimeException expected = assertThrows(RuntimeException.class,
                    () -> single.floatSegments().forward(3, 1, heap, 0, heap, 0, n, shortMask, 0));
            RuntimeException actual = assertThrows(RuntimeException.class,
                    () -> parallel.forwardFloats(3, 1, heap, 0, heap, 0, n, shortMask, 0));
            assertEquals(expected.getMessage(), actual.getMessage());
            MemorySegment overlapping = MemorySegment.ofArray(new double[n]); // the mask lies in the output
            MemorySegment dy = MemorySegment.ofArray(new double[n]);
            expected = assertThrows(RuntimeException.class,
                    () -> single.doubleSegments().backward(overlapping, 0, dy, 0, overlapping, 0, n));
            actual = assertThrows(RuntimeException.class,
                    () -> parallel.backwardDoubles(overlapping, 0, dy, 0, overlapping, 0, n));
            assertEquals(expected.getMessage(), actual.getMessage());
            assertEquals(0, counting.submitted(), "a task was started for bad input");
        }
    }

    @Test
    void belowTheThresholdNothingIsHandedToTheExecutor() {
        CountingExecutor counting = CountingExecutor.onCallersThread();
        Dropout single = Dropout.inverted(0.5);
        ParallelDropout parallel = ParallelDropout.of(single, counting, 4);
        int below = parallel.minParallelLength() - 1;
        assertSameAsSingleCall(parallel, single, below, 0);
        assertEquals(0, counting.submitted());
        int n = parallel.minParallelLength();
        int chunk = Math.max(ParallelDropout.MIN_CHUNK, ((n + 3) / 4 + 63) / 64 * 64); // not chunkLength's own answer
        int chunks = (n + chunk - 1) / chunk;
        float[] x = inputs(n, 4);
        float[] y = new float[n];
        parallel.forward(1, 0, x, 0, y, 0, n);
        assertEquals(Math.min(4, chunks) - 1, counting.submitted(), "at the threshold: one task per helper thread, no more");
    }

    @Test
    void chunksAreWordAlignedAndNeitherTooSmallNorMoreThanThreads() {
        int min = ParallelDropout.MIN_CHUNK;
        int word = ParallelDropout.ALIGNMENT;
        assertEquals(100, ChunkedCalls.chunkLength(100, 4, 0, min, word)); // below MIN_CHUNK: inline
        assertEquals(1 << 20, ChunkedCalls.chunkLength(1 << 20, 1, 0, min, word)); // one thread: inline
        assertEquals(999_999, ChunkedCalls.chunkLength(999_999, 8, 1_000_000, min, word)); // below the threshold
        assertEquals(64, ChunkedCalls.chunkLength(130, 3, 0, 64, word)); // 64 + 64 + 2
        assertEquals(128, ChunkedCalls.chunkLength(130, 3, 0, 128, word)); // 128 + 2
        assertEquals(640, ChunkedCalls.chunkLength(1300, 3, 0, 64, 320)); // runs of 5: 2 chunks of 2 words' runs
        // Element-wise, runs of 5 (64 runs: 320), samples of 7 x 3 (64 samples: 1,344) and of 100 channels (16).
        for (long granule : new long[] {word, 320, 1344, 16 * 100 * 2}) {
            for (int minChunk : new int[] {64, 640, min}) {
                for (int threads = 2; threads <= 17; threads++) {
                    for (int n : new int[] {minChunk + 1, 1_000_003, 1 << 26}) {
                        long chunk = ChunkedCalls.chunkLength(n, threads, 0, minChunk, granule);
                        String at = "n=" + n + " threads=" + threads + " minChunk=" + minChunk + " granule=" + granule;
                        assertTrue(chunk == n || chunk % granule == 0, at);
                        assertTrue(chunk >= minChunk, at);
                        assertTrue((n + chunk - 1) / chunk <= threads, at);
                        long perThread = Math.max(minChunk, (n + (long) threads - 1) / threads);
                        long exact = (perThread + granule - 1) / granule * granule;
                        assertEquals(Math.min(n, exact), chunk, at + ": the smallest aligned share, no more");
                    }
                }
            }
        }
        assertEquals(64, ChannelLayout.elementwise().maskGranule());
        assertEquals(64 * 5, ChannelLayout.channelsFirst(7, 5).maskGranule()); // a decision a run
        assertEquals(64 * 21, ChannelLayout.channelsLast(7, 3).maskGranule()); // 3 decisions a sample
        assertEquals(16 * 200, ChannelLayout.channelsLast(2, 100).maskGranule()); // 100 decisions: 16 samples
        assertEquals(128, ChannelLayout.channelsLast(2, 64).maskGranule()); // a word a sample
        assertEquals(256, ChannelLayout.channelsLast(1, 256).maskGranule()); // 4 words a sample
        // Without a mask: whole runs or samples (element-wise as with one).
        assertEquals(64, ChannelLayout.elementwise().granule());
        assertEquals(5, ChannelLayout.channelsFirst(7, 5).granule());
        assertEquals(21, ChannelLayout.channelsLast(7, 3).granule());
    }

    @Test
    void badInputThrowsBeforeAnyTaskStartsAndWritesNothing() {
        CountingExecutor counting = CountingExecutor.onCallersThread();
        Dropout single = Dropout.inverted(0.5);
        ParallelDropout parallel = ParallelDropout.of(single, counting, 4).withMinParallelLength(0);
        int n = 4 * ParallelDropout.MIN_CHUNK;
        float[] x = inputs(n, 1);
        float[] y = output(n);
        double[] xd = new double[n];
        Arrays.setAll(xd, i -> x[i]);
        double[] yd = doubleOutput(n);
        long[] shortMask = new long[Dropout.maskWords(n) - 1];
        Arrays.fill(shortMask, SENTINEL_WORD);
        // Each bad call, made on the parallel form and on the single call: same exception, same message.
        List<List<Runnable>> calls = List.of(
                List.of(() -> parallel.forward(1, 0, x, 0, y, 0, n + 1), () -> single.forward(1, 0, x, 0, y, 0, n + 1)),
                List.of(() -> parallel.forward(1, -1, x, 0, y, 0, n), () -> single.forward(1, -1, x, 0, y, 0, n)),
                List.of(() -> parallel.forward(1, Long.MAX_VALUE - 10, x, 0, y, 0, n),
                        () -> single.forward(1, Long.MAX_VALUE - 10, x, 0, y, 0, n)),
                List.of(() -> parallel.forward(1, 0, x, 0, y, 0, n, shortMask, 0),
                        () -> single.forward(1, 0, x, 0, y, 0, n, shortMask, 0)),
                List.of(() -> parallel.forward(1, 0, x, 0, x, 1, n - 1), () -> single.forward(1, 0, x, 0, x, 1, n - 1)),
                List.of(() -> parallel.forward(1, 0, null, 0, y, 0, n), () -> single.forward(1, 0, null, 0, y, 0, n)),
                List.of(() -> parallel.backward(shortMask, 0, x, 0, y, 0, n), () -> single.backward(shortMask, 0, x, 0, y, 0, n)),
                List.of(() -> parallel.backward(1, 0, x, 0, y, 3 * GUARD, n), () -> single.backward(1, 0, x, 0, y, 3 * GUARD, n)),
                List.of(() -> parallel.eval(x, -1, y, 0, n), () -> single.eval(x, -1, y, 0, n)),
                List.of(() -> parallel.mask(1, 0, shortMask, 0, n), () -> single.mask(1, 0, shortMask, 0, n)),
                List.of(() -> parallel.mask(1, 0, shortMask, 0, -1), () -> single.mask(1, 0, shortMask, 0, -1)),
                // every entry point with a region fault and, where it takes one, a stream fault
                List.of(() -> parallel.forward(1, 0, x, 0, y, 2 * GUARD + 1, n, new long[Dropout.maskWords(n)], 0),
                        () -> single.forward(1, 0, x, 0, y, 2 * GUARD + 1, n, new long[Dropout.maskWords(n)], 0)),
                List.of(() -> parallel.forward(1, -2, x, 0, y, 0, n, new long[Dropout.maskWords(n)], 0),
                        () -> single.forward(1, -2, x, 0, y, 0, n, new long[Dropout.maskWords(n)], 0)),
                List.of(() -> parallel.backward(1, -3, x, 0, y, 0, n), () -> single.backward(1, -3, x, 0, y, 0, n)),
                List.of(() -> parallel.backward(new long[Dropout.maskWords(n)], 0, x, 1, y, 0, n),
                        () -> single.backward(new long[Dropout.maskWords(n)], 0, x, 1, y, 0, n)),
                List.of(() -> parallel.eval(x, 0, y, 0, -5), () -> single.eval(x, 0, y, 0, -5)),
                List.of(() -> parallel.mask(1, -4, new long[Dropout.maskWords(n)], 0, n),
                        () -> single.mask(1, -4, new long[Dropout.maskWords(n)], 0, n)),
                // the float64 entry points
                List.of(() -> parallel.forward(1, 0, xd, 0, yd, 0, n + 1), () -> single.forward(1, 0, xd, 0, yd, 0, n + 1)),
                List.of(() -> parallel.forward(1, 0, xd, 0, yd, 0, n, shortMask, 0),
                        () -> single.forward(1, 0, xd, 0, yd, 0, n, shortMask, 0)),
                List.of(() -> parallel.forward(1, -1, xd, 0, yd, 0, n, new long[Dropout.maskWords(n)], 0),
                        () -> single.forward(1, -1, xd, 0, yd, 0, n, new long[Dropout.maskWords(n)], 0)),
                List.of(() -> parallel.backward(1, -3, xd, 0, yd, 0, n), () -> single.backward(1, -3, xd, 0, yd, 0, n)),
                List.of(() -> parallel.backward(shortMask, 0, xd, 0, yd, 0, n),
                        () -> single.backward(shortMask, 0, xd, 0, yd, 0, n)),
                List.of(() -> parallel.eval(xd, 0, xd, 1, n - 1), () -> single.eval(xd, 0, xd, 1, n - 1)),
                List.of(() -> parallel.forward(1, 0, (double[]) null, 0, yd, 0, n),
                        () -> single.forward(1, 0, (double[]) null, 0, yd, 0, n)));
        float[] untouchedX = x.clone();
        float[] untouchedY = y.clone();
        double[] untouchedXd = xd.clone();
        double[] untouchedYd = yd.clone();
        long[] untouchedMask = shortMask.clone();
        for (List<Runnable> pair : calls) {
            RuntimeException expected = assertThrows(RuntimeException.class, pair.get(1)::run);
            RuntimeException actual = assertThrows(RuntimeException.class, pair.get(0)::run);
            assertEquals(expected.getClass(), actual.getClass(), expected.getMessage());
            assertEquals(expected.getMessage(), actual.getMessage());
        }
        assertEquals(0, counting.submitted(), "a task was started for bad input");
        assertArrayEquals(bits(untouchedY), bits(y), "bad input wrote output");
        assertArrayEquals(bits(untouchedX), bits(x), "bad input wrote into the input");
        assertArrayEquals(untouchedMask, shortMask, "bad input wrote into the mask");
        assertArrayEquals(bits(untouchedYd), bits(yd), "bad float64 input wrote output");
        assertArrayEquals(bits(untouchedXd), bits(xd), "bad float64 input wrote into the input");
    }

    @Test
    void aFailureInsideAChunkReachesTheCallerAfterEveryChunkIsDone() {
        RuntimeException boom = new IllegalStateException("chunk failed");
        AtomicInteger calls = new AtomicInteger();
        DropoutKernels failing = failing(calls, boom); // counts chunks as they *finish*; the good one is slow
        Dropout single = Dropout.inverted(0.5).withKernels(failing);
        ForkJoinPool pool = pool(3);
        ParallelDropout parallel = ParallelDropout.of(single, pool).withMinParallelLength(0);
        int n = 6 * ParallelDropout.MIN_CHUNK;
        float[] x = inputs(n, 2);
        float[] y = new float[n];
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> parallel.forward(5, 0, x, 0, y, 0, n));
        assertEquals(3, calls.get(), "every chunk finished before the call returned");
        assertEquals(1, thrown.getSuppressed().length, "the other failure is suppressed into the first");
        assertEquals(java.util.Set.of("chunk failed", "second failure"),
                java.util.Set.of(thrown.getMessage(), thrown.getSuppressed()[0].getMessage()));
    }

    @Test
    void anExecutorThatFailsOtherwiseIsReportedAfterTheCallerFinishedEveryChunk() {
        ForkJoinPool pool = pool(2);
        AtomicInteger submitted = new AtomicInteger();
        Executor failsOnSecond = task -> {
            if (submitted.incrementAndGet() == 2) {
                throw new IllegalStateException("no more threads");
            }
            pool.execute(task);
        };
        Dropout single = Dropout.inverted(0.3);
        ParallelDropout parallel = ParallelDropout.of(single, failsOnSecond, 4).withMinParallelLength(0)
                .withMinChunkLength(ParallelDropout.ALIGNMENT);
        int n = 100_003;
        float[] x = inputs(n, 3);
        float[] y = new float[n];
        float[] expected = new float[n];
        single.forward(9, 1, x, 0, expected, 0, n);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> parallel.forward(9, 1, x, 0, y, 0, n));
        assertEquals("no more threads", thrown.getMessage());
        assertArrayEquals(bits(expected), bits(y), "every chunk is written before the failure is reported");
    }

    @Test
    void itsPoliciesAreTheOnesItWasBuiltWith() {
        Dropout d = Dropout.classic(0.25);
        ParallelDropout parallel = ParallelDropout.of(d, Runnable::run, 3).withMinParallelLength(1000)
                .withMinChunkLength(128);
        assertSame(d, parallel.dropout());
        assertEquals(3, parallel.parallelism());
        assertEquals(1000, parallel.minParallelLength());
        assertEquals(128, parallel.minChunkLength());
        assertEquals(ParallelDropout.MIN_CHUNK, ParallelDropout.of(d, Runnable::run, 3).minChunkLength());
        assertEquals(ParallelDropout.DEFAULT_MIN_PARALLEL_LENGTH, ParallelDropout.of(d, Runnable::run, 3).minParallelLength());
        ForkJoinPool pool = pool(5);
        assertEquals(5, ParallelDropout.of(d, pool).parallelism());
        String text = parallel.toString();
        assertTrue(text.contains("parallelism=3") && text.contains("minParallelLength=1000")
                && text.contains("minChunkLength=128") && text.contains(d.toString()), text);
    }

    @Test
    void anErrorInsideAChunkIsRethrownAsItIs() {
        AssertionError error = new AssertionError("kernel broke");
        Dropout single = Dropout.inverted(0.5).withKernels(throwing(error));
        ParallelDropout parallel = ParallelDropout.of(single, pool(2)).withMinParallelLength(0);
        int n = 4 * ParallelDropout.MIN_CHUNK;
        AssertionError thrown = assertThrows(AssertionError.class,
                () -> parallel.forward(1, 0, new float[n], 0, new float[n], 0, n));
        assertSame(error, thrown);
        IllegalStateException checked = assertThrows(IllegalStateException.class, () -> ParallelDropout.of(
                Dropout.inverted(0.5).withKernels(throwing(new java.io.IOException("checked"))), pool(2))
                .withMinParallelLength(0).forward(1, 0, new float[n], 0, new float[n], 0, n));
        assertEquals("checked", checked.getCause().getMessage());
    }

    @Test
    void anInterruptedCallerStillWaitsForEveryChunkAndKeepsItsInterrupt() {
        Dropout single = Dropout.inverted(0.4);
        ParallelDropout parallel = ParallelDropout.of(single, pool(2)).withMinParallelLength(0)
                .withMinChunkLength(ParallelDropout.ALIGNMENT);
        int n = 1 << 20;
        float[] x = inputs(n, 5);
        float[] y = new float[n];
        float[] expected = new float[n];
        single.forward(3, 0, x, 0, expected, 0, n);
        Thread.currentThread().interrupt();
        try {
            parallel.forward(3, 0, x, 0, y, 0, n);
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt was lost");
        } finally {
            Thread.interrupted();
        }
        assertArrayEquals(bits(expected), bits(y));
    }

    @Test
    void constructionRejectsNonsense() {
        Dropout d = Dropout.inverted(0.5);
        Consumer<Runnable> rejects = call -> assertThrows(RuntimeException.class, call::run);
        rejects.accept(() -> ParallelDropout.of(d, Runnable::run, 0));
        rejects.accept(() -> ParallelDropout.of(null, Runnable::run, 2));
        rejects.accept(() -> ParallelDropout.of(d, null, 2));
        rejects.accept(() -> ParallelDropout.of(d, Runnable::run, 2).withMinParallelLength(-1));
        rejects.accept(() -> ParallelDropout.of(d, Runnable::run, 2).withMinChunkLength(0));
        rejects.accept(() -> ParallelDropout.of(d, Runnable::run, 2).withMinChunkLength(100));
    }

    /** Kernels whose training forward throws, sneakily, whatever it is given: checked exceptions too. */
    private static DropoutKernels throwing(Throwable failure) {
        return DropoutKernels.SCALAR.withFloatArrays("throwing",
                new ForwardingFloatArrayKernels(ScalarFloatArrayKernels.INSTANCE) {
                    @Override
                    public void forward(long seed, long streamOffset, long threshold, float scale, float[] x,
                                        int xOff, float[] y, int yOff, int length) {
                        ParallelDropoutTest.<RuntimeException>sneaky(failure);
                    }
                });
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** The reference kernels, failing in the second chunk of a forward. */
    private static DropoutKernels failing(AtomicInteger calls, RuntimeException boom) {
        return DropoutKernels.SCALAR.withFloatArrays("failing",
                new ForwardingFloatArrayKernels(ScalarFloatArrayKernels.INSTANCE) {
                    @Override
                    public void forward(long seed, long streamOffset, long threshold, float scale, float[] x,
                                        int xOff, float[] y, int yOff, int length) {
                        try {
                            if (xOff != 0) {
                                throw xOff == length ? boom : new IllegalStateException("second failure");
                            }
                            Thread.sleep(50); // the chunk that succeeds is still running when the others have failed
                            super.forward(seed, streamOffset, threshold, scale, x, xOff, y, yOff, length);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        } finally {
                            calls.incrementAndGet();
                        }
                    }
                });
    }
}
