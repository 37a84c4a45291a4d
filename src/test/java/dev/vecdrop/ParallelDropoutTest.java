package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.scalar.ScalarDropoutKernels;
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
 * cuts; bad input throws before any task starts; a failure inside a chunk reaches the caller. In every leg of
 * the ISA matrix.
 */
@Tag("matrix")
class ParallelDropoutTest {

    private static final int GUARD = 5;
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

    /** Lengths at and around the chunk and word boundaries that {@link ParallelDropout#chunkLength} makes. */
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

    /** Every operation of {@code parallel} against {@code single} for one length and stream offset. */
    private static void assertSameAsSingleCall(ParallelDropout parallel, Dropout single, int n, long streamOffset) {
        long seed = 77 + n;
        float[] x = new float[n + 2 * GUARD];
        System.arraycopy(inputs(n, seed), 0, x, GUARD, n);
        String at = parallel + " n=" + n + " streamOffset=" + streamOffset;

        float[] yp = output(n), ys = output(n);
        parallel.forward(seed, streamOffset, x, GUARD, yp, GUARD, n);
        single.forward(seed, streamOffset, x, GUARD, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "forward " + at);

        long[] mp = words(n), ms = words(n);
        yp = output(n);
        ys = output(n);
        parallel.forward(seed, streamOffset, x, GUARD, yp, GUARD, n, mp, GUARD);
        single.forward(seed, streamOffset, x, GUARD, ys, GUARD, n, ms, GUARD);
        assertArrayEquals(bits(ys), bits(yp), "forward+mask values " + at);
        assertArrayEquals(ms, mp, "forward+mask bits " + at);

        long[] mp2 = words(n), ms2 = words(n);
        parallel.mask(seed, streamOffset, mp2, GUARD, n);
        single.mask(seed, streamOffset, ms2, GUARD, n);
        assertArrayEquals(ms2, mp2, "mask " + at);

        yp = output(n);
        ys = output(n);
        parallel.backward(ms, GUARD, x, GUARD, yp, GUARD, n);
        single.backward(ms, GUARD, x, GUARD, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "backward from bits " + at);

        yp = output(n);
        ys = output(n);
        parallel.backward(seed, streamOffset, x, GUARD, yp, GUARD, n);
        single.backward(seed, streamOffset, x, GUARD, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "backward by regeneration " + at);

        yp = output(n);
        ys = output(n);
        parallel.eval(x, GUARD, yp, GUARD, n);
        single.eval(x, GUARD, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "eval " + at);

        yp = x.clone();
        ys = x.clone();
        parallel.forward(seed, streamOffset, yp, GUARD, yp, GUARD, n);
        single.forward(seed, streamOffset, ys, GUARD, ys, GUARD, n);
        assertArrayEquals(bits(ys), bits(yp), "forward in place " + at);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 7})
    void everyOperationEqualsTheSingleCallForEveryPoolSize(int threads) {
        ForkJoinPool pool = pool(threads);
        for (Dropout single : new Dropout[] {Dropout.inverted(0.3), Dropout.classic(0.6), Dropout.inverted(0.0),
                Dropout.inverted(1.0)}) {
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
            ParallelDropout parallel = ParallelDropout.of(single, randomOrder, threads).withMinParallelLength(0);
            for (int n : lengths()) {
                assertSameAsSingleCall(parallel, single, n, 3);
            }
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
    void belowTheThresholdNothingIsHandedToTheExecutor() {
        AtomicInteger submitted = new AtomicInteger();
        Executor counting = task -> {
            submitted.incrementAndGet();
            task.run();
        };
        Dropout single = Dropout.inverted(0.5);
        ParallelDropout parallel = ParallelDropout.of(single, counting, 4);
        int below = parallel.minParallelLength() - 1;
        assertSameAsSingleCall(parallel, single, below, 0);
        assertEquals(0, submitted.get());
        assertSameAsSingleCall(parallel, single, parallel.minParallelLength(), 0);
        assertTrue(submitted.get() > 0, "at the threshold the call is split");
    }

    @Test
    void chunksAreWordAlignedAndNeitherTooSmallNorMoreThanThreads() {
        int min = ParallelDropout.MIN_CHUNK;
        assertEquals(100, ParallelDropout.chunkLength(100, 4, 0, min)); // below MIN_CHUNK: inline
        assertEquals(1 << 20, ParallelDropout.chunkLength(1 << 20, 1, 0, min)); // one thread: inline
        assertEquals(999_999, ParallelDropout.chunkLength(999_999, 8, 1_000_000, min)); // below the threshold
        assertEquals(64, ParallelDropout.chunkLength(130, 3, 0, 64)); // 64 + 64 + 2
        assertEquals(128, ParallelDropout.chunkLength(130, 3, 0, 128)); // 128 + 2
        for (int minChunk : new int[] {64, 640, min}) {
            for (int threads = 2; threads <= 17; threads++) {
                for (int n : new int[] {minChunk + 1, 1_000_003, 1 << 26}) {
                    int chunk = ParallelDropout.chunkLength(n, threads, 0, minChunk);
                    String at = "n=" + n + " threads=" + threads + " minChunk=" + minChunk;
                    assertEquals(0, chunk % ParallelDropout.ALIGNMENT, at);
                    assertTrue(chunk >= minChunk, at);
                    assertTrue((n + (long) chunk - 1) / chunk <= threads, at);
                }
            }
        }
    }

    @Test
    void badInputThrowsBeforeAnyTaskStartsAndWritesNothing() {
        AtomicInteger submitted = new AtomicInteger();
        Executor counting = task -> {
            submitted.incrementAndGet();
            task.run();
        };
        ParallelDropout parallel = ParallelDropout.of(Dropout.inverted(0.5), counting, 4).withMinParallelLength(0);
        int n = 4 * ParallelDropout.MIN_CHUNK;
        float[] x = inputs(n, 1);
        float[] y = output(n);
        long[] shortMask = new long[Dropout.maskWords(n) - 1];
        List<Runnable> calls = List.of(
                () -> parallel.forward(1, 0, x, 0, y, 0, n + 1),
                () -> parallel.forward(1, -1, x, 0, y, 0, n),
                () -> parallel.forward(1, Long.MAX_VALUE - 10, x, 0, y, 0, n),
                () -> parallel.forward(1, 0, x, 0, y, 0, n, shortMask, 0),
                () -> parallel.forward(1, 0, x, 0, x, 1, n - 1),
                () -> parallel.forward(1, 0, null, 0, y, 0, n),
                () -> parallel.backward(shortMask, 0, x, 0, y, 0, n),
                () -> parallel.backward(1, 0, x, 0, y, 3 * GUARD, n),
                () -> parallel.eval(x, -1, y, 0, n),
                () -> parallel.mask(1, 0, shortMask, 0, n),
                () -> parallel.mask(1, 0, shortMask, 0, -1));
        float[] untouched = y.clone();
        for (Runnable call : calls) {
            assertThrows(RuntimeException.class, call::run);
        }
        assertEquals(0, submitted.get(), "a task was started for bad input");
        assertArrayEquals(bits(untouched), bits(y), "bad input wrote output");
    }

    @Test
    void aFailureInsideAChunkReachesTheCallerAfterEveryChunkIsDone() {
        RuntimeException boom = new IllegalStateException("chunk failed");
        AtomicInteger calls = new AtomicInteger();
        DropoutKernels failing = new Failing(calls, boom);
        Dropout single = Dropout.inverted(0.5).withKernels(failing);
        ForkJoinPool pool = pool(3);
        ParallelDropout parallel = ParallelDropout.of(single, pool).withMinParallelLength(0);
        int n = 6 * ParallelDropout.MIN_CHUNK;
        float[] x = inputs(n, 2);
        float[] y = new float[n];
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> parallel.forward(5, 0, x, 0, y, 0, n));
        assertSame(boom, thrown);
        assertEquals(3, calls.get(), "every chunk ran before the call returned");
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

    /** The reference kernels, failing in the second chunk of a forward. */
    private record Failing(AtomicInteger calls, RuntimeException boom) implements DropoutKernels {
        public String name() {
            return "failing";
        }

        public int vectorBitSize() {
            return 0;
        }

        public void train(long seed, long streamOffset, long threshold, boolean scaled, float scale, float[] x,
                          int xOff, float[] y, int yOff, int length, long[] mask, int maskOff) {
            calls.incrementAndGet();
            if (xOff != 0) {
                throw boom;
            }
            ScalarDropoutKernels.INSTANCE.train(seed, streamOffset, threshold, scaled, scale, x, xOff, y, yOff,
                    length, mask, maskOff);
        }

        public void applyMask(long[] mask, int maskOff, boolean scaled, float scale, float[] src, int srcOff,
                              float[] dst, int dstOff, int length) {
            ScalarDropoutKernels.INSTANCE.applyMask(mask, maskOff, scaled, scale, src, srcOff, dst, dstOff, length);
        }

        public void scale(float c, float[] x, int xOff, float[] y, int yOff, int length) {
            ScalarDropoutKernels.INSTANCE.scale(c, x, xOff, y, yOff, length);
        }
    }
}
