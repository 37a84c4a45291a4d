package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One shared {@link Dropout}, and one shared {@link DropoutLayer}, hammered by 8 threads. */
class ConcurrencyTest {

    private static final int THREADS = 8;

    /** One precomputed call: its arguments and the single-threaded result. */
    private record Case(long streamOffset, float[] x, float[] expected, long[] expectedMask) {}

    @Test
    void aSharedDropoutGivesEveryThreadTheSingleThreadedResult() throws Exception {
        Dropout dropout = Dropout.inverted(0.35);
        long seed = 4242;
        List<List<Case>> perThread = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(9);
        for (int t = 0; t < THREADS; t++) { // disjoint stream ranges per thread, computed on this thread first
            List<Case> cases = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                int n = 1 + random.nextInt(4096);
                long offset = ((long) t << 40) + random.nextLong(1L << 30);
                float[] x = DropoutSemanticsTest.inputs(n, random.nextLong());
                float[] y = new float[n];
                long[] mask = new long[Dropout.maskWords(n)];
                dropout.forward(seed, offset, x, 0, y, 0, n, mask, 0);
                cases.add(new Case(offset, x, y, mask));
            }
            perThread.add(cases);
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<Future<Long>> calls = new ArrayList<>();
        for (List<Case> cases : perThread) {
            calls.add(pool.submit(() -> {
                start.await();
                long done = 0;
                while (System.nanoTime() < deadline) {
                    for (Case c : cases) {
                        int n = c.x().length;
                        float[] y = new float[n];
                        long[] mask = new long[Dropout.maskWords(n)];
                        dropout.forward(seed, c.streamOffset(), c.x(), 0, y, 0, n, mask, 0);
                        if (!Arrays.equals(DropoutSemanticsTest.rawBits(c.expected()), DropoutSemanticsTest.rawBits(y))
                                || !Arrays.equals(c.expectedMask(), mask)) {
                            throw new AssertionError("result differs at stream offset " + c.streamOffset());
                        }
                        done++;
                    }
                }
                return done;
            }));
        }
        start.countDown();
        long total = 0;
        for (Future<Long> f : calls) {
            total += f.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertTrue(total > THREADS * 16, "too few calls: " + total);
    }

    @Test
    void aSharedLayerHandsOutDisjointRangesAndEachResultMatchesItsOffset() throws Exception {
        Dropout dropout = Dropout.inverted(0.5);
        DropoutLayer layer = new DropoutLayer(dropout, 77);
        int calls = 2_000;
        int n = 100;
        float[] x = DropoutSemanticsTest.inputs(n, 1);
        long[][] offsets = new long[THREADS][calls];
        float[][][] outputs = new float[THREADS][calls][];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int c = 0; c < calls; c++) {
                    float[] y = new float[n];
                    offsets[thread][c] = layer.forward(x, 0, y, 0, n);
                    outputs[thread][c] = y;
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long[] all = Arrays.stream(offsets).flatMapToLong(Arrays::stream).sorted().toArray();
        for (int i = 0; i < all.length; i++) {
            assertEquals((long) i * n, all[i], "ranges must tile the stream without gaps or overlaps");
        }
        assertEquals((long) THREADS * calls * n, layer.position());
        for (int t = 0; t < THREADS; t++) {
            for (int c = 0; c < calls; c++) {
                float[] expected = new float[n];
                dropout.forward(77, offsets[t][c], x, 0, expected, 0, n);
                assertArrayEquals(DropoutSemanticsTest.rawBits(expected), DropoutSemanticsTest.rawBits(outputs[t][c]));
            }
        }
    }
}
