package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The parallel gaussian layers equal the layer's own call bit for bit, whatever the thread count, chunk cuts,
 * layout, type or buffer; bad input throws before any task starts and writes nothing. How chunks are handed out,
 * waited for and fail is {@link ParallelDropoutTest}'s (both run on {@link ChunkedCalls}).
 */
@Tag("semantics")
class ParallelGaussianTest {

    private static final int GUARD = 5;
    /** Where inputs start: not {@code GUARD}, where outputs start, so a chunk that mixed them up shows. */
    private static final int X = 2;
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_0bad);
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

    /** A layer and its parallel form, with the layer's own calls to compare against. */
    private record Pair(ParallelGaussian parallel, GaussianDropout dropout, GaussianNoise noise) {

        ChannelLayout layout() {
            return dropout != null ? dropout.layout() : noise.layout();
        }

        void forward(long seed, long e, float[] x, int xo, float[] y, int yo, int n) {
            if (dropout != null) {
                dropout.forward(seed, e, x, xo, y, yo, n);
            } else {
                noise.forward(seed, e, x, xo, y, yo, n);
            }
        }

        void backward(long seed, long e, float[] x, int xo, float[] y, int yo, int n) {
            if (dropout != null) {
                dropout.backward(seed, e, x, xo, y, yo, n);
            } else {
                noise.backward(seed, e, x, xo, y, yo, n);
            }
        }

        void forward(long seed, long e, double[] x, int xo, double[] y, int yo, int n) {
            if (dropout != null) {
                dropout.forward(seed, e, x, xo, y, yo, n);
            } else {
                noise.forward(seed, e, x, xo, y, yo, n);
            }
        }

        void backward(long seed, long e, double[] x, int xo, double[] y, int yo, int n) {
            if (dropout != null) {
                dropout.backward(seed, e, x, xo, y, yo, n);
            } else {
                noise.backward(seed, e, x, xo, y, yo, n);
            }
        }

        void forwardFloats(long seed, long e, MemorySegment x, long xo, MemorySegment y, long yo, long n) {
            if (dropout != null) {
                dropout.forwardFloats(seed, e, x, xo, y, yo, n);
            } else {
                noise.forwardFloats(seed, e, x, xo, y, yo, n);
            }
        }

        void forwardDoubles(long seed, long e, MemorySegment x, long xo, MemorySegment y, long yo, long n) {
            if (dropout != null) {
                dropout.forwardDoubles(seed, e, x, xo, y, yo, n);
            } else {
                noise.forwardDoubles(seed, e, x, xo, y, yo, n);
            }
        }

        void backwardFloats(long seed, long e, MemorySegment x, long xo, MemorySegment y, long yo, long n) {
            if (dropout != null) {
                dropout.backwardFloats(seed, e, x, xo, y, yo, n);
            } else {
                noise.backwardFloats(seed, e, x, xo, y, yo, n);
            }
        }

        void backwardDoubles(long seed, long e, MemorySegment x, long xo, MemorySegment y, long yo, long n) {
            if (dropout != null) {
                dropout.backwardDoubles(seed, e, x, xo, y, yo, n);
            } else {
                noise.backwardDoubles(seed, e, x, xo, y, yo, n);
            }
        }
    }

    private static List<Pair> pairs(Executor executor, int threads) {
        List<Pair> pairs = new ArrayList<>();
        // Each branch of the per-channel paths: runs of 32 and up one at a time, runs of 64 in one loop, short runs
        // (laid out), channels-last samples repeated over rows, rows of 1,008 channels read in place (a 64-element
        // chunk lies inside one row), small samples (laid out element by element), and C past a 1,024-normal block.
        for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.elementwise(),
                ChannelLayout.channelsFirst(3, 70), ChannelLayout.channelsFirst(3, 64), ChannelLayout.channelsFirst(7, 5),
                ChannelLayout.channelsLast(5, 37), ChannelLayout.channelsLast(3, 1008), ChannelLayout.channelsLast(4, 3),
                ChannelLayout.channelsLast(3, 1500)}) {
            GaussianDropout dropout = GaussianDropout.of(0.3).perChannel(layout);
            GaussianNoise noise = GaussianNoise.of(0.7).perChannel(layout);
            pairs.add(new Pair(ParallelGaussian.of(dropout, executor, threads).withMinParallelLength(0), dropout,
                    null));
            pairs.add(new Pair(ParallelGaussian.of(noise, executor, threads).withMinParallelLength(0), null, noise));
        }
        return pairs;
    }

    private static int sample(ChannelLayout layout) {
        return layout.kind() == ChannelLayout.Kind.ELEMENTWISE ? 1 : layout.channels() * layout.positions();
    }

    /** Whole samples of the layout, around chunk boundaries at the default and the smallest chunk. */
    private static int[] lengths(ChannelLayout layout) {
        int sample = sample(layout);
        int c = ParallelGaussian.MIN_CHUNK;
        int[] raw = {0, 1, 63, 65, 130, 131, c - 1, c + 1, 2 * c + 63, 3 * c + 65};
        return Arrays.stream(raw).map(n -> n / sample * sample).distinct().toArray();
    }

    private static float[] floats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n + 2 * GUARD];
        Arrays.fill(x, SENTINEL);
        for (int i = 0; i < n; i++) {
            x[X + i] = random.nextInt(50) == 0 ? Float.NaN : (float) random.nextGaussian();
        }
        return x;
    }

    private static float[] floatOutput(int n) {
        float[] y = new float[n + 2 * GUARD];
        Arrays.fill(y, SENTINEL);
        return y;
    }

    private static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i] * 1.000000123; // values a float cannot hold
        }
        return d;
    }

    private static double[] doubleOutput(int n) {
        double[] y = new double[n + 2 * GUARD];
        Arrays.fill(y, SENTINEL);
        return y;
    }

    private static long[] bits(double[] a) {
        return Arrays.stream(a).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /** Every call of the parallel form against the layer's own for one length and stream offset. */
    private static void assertSameAsLayer(Pair pair, int n, long e) {
        long seed = 91 + n;
        String at = pair.parallel() + " n=" + n + " streamOffset=" + e;
        ParallelGaussian parallel = pair.parallel();

        float[] x = floats(n, seed);
        float[] original = x.clone();
        float[] yp = floatOutput(n), ys = floatOutput(n);
        parallel.forward(seed, e, x, X, yp, GUARD, n);
        pair.forward(seed, e, x, X, ys, GUARD, n);
        assertArrayEquals(DropoutSemanticsTest.rawBits(ys), DropoutSemanticsTest.rawBits(yp), "forward " + at);
        yp = floatOutput(n);
        ys = floatOutput(n);
        parallel.backward(seed, e, x, X, yp, GUARD, n);
        pair.backward(seed, e, x, X, ys, GUARD, n);
        assertArrayEquals(DropoutSemanticsTest.rawBits(ys), DropoutSemanticsTest.rawBits(yp), "backward " + at);
        assertArrayEquals(DropoutSemanticsTest.rawBits(original), DropoutSemanticsTest.rawBits(x),
                "an out-of-place call wrote into its input " + at);
        yp = x.clone();
        ys = x.clone();
        parallel.forward(seed, e, yp, X, yp, X, n);
        pair.forward(seed, e, ys, X, ys, X, n);
        assertArrayEquals(DropoutSemanticsTest.rawBits(ys), DropoutSemanticsTest.rawBits(yp), "in place " + at);

        double[] xd = widen(x);
        double[] dp = doubleOutput(n), ds = doubleOutput(n);
        parallel.forward(seed, e, xd, X, dp, GUARD, n);
        pair.forward(seed, e, xd, X, ds, GUARD, n);
        assertArrayEquals(bits(ds), bits(dp), "float64 forward " + at);
        dp = doubleOutput(n);
        ds = doubleOutput(n);
        parallel.backward(seed, e, xd, X, dp, GUARD, n);
        pair.backward(seed, e, xd, X, ds, GUARD, n);
        assertArrayEquals(bits(ds), bits(dp), "float64 backward " + at);
        dp = xd.clone();
        ds = xd.clone();
        parallel.backward(seed, e, dp, X, dp, X, n);
        pair.backward(seed, e, ds, X, ds, X, n);
        assertArrayEquals(bits(ds), bits(dp), "float64 backward in place " + at);

        try (Arena arena = Arena.ofShared()) { // segments the pool's threads may use
            // Native input, heap output: both kinds in one call, as the segment forms allow.
            MemorySegment xs = arena.allocate((long) x.length * Float.BYTES, Float.BYTES);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
            yp = floatOutput(n);
            ys = floatOutput(n);
            parallel.forwardFloats(seed, e, xs, X, MemorySegment.ofArray(yp), GUARD, n);
            pair.forwardFloats(seed, e, xs, X, MemorySegment.ofArray(ys), GUARD, n);
            assertArrayEquals(DropoutSemanticsTest.rawBits(ys), DropoutSemanticsTest.rawBits(yp),
                    "segment forward " + at);
            yp = floatOutput(n);
            ys = floatOutput(n);
            parallel.backwardFloats(seed, e, xs, X, MemorySegment.ofArray(yp), GUARD, n);
            pair.backwardFloats(seed, e, xs, X, MemorySegment.ofArray(ys), GUARD, n);
            assertArrayEquals(DropoutSemanticsTest.rawBits(ys), DropoutSemanticsTest.rawBits(yp),
                    "segment backward " + at);
            float[] arrays = floatOutput(n);
            pair.backward(seed, e, x, X, arrays, GUARD, n); // the layer's segment backward: its array one's bits
            assertArrayEquals(DropoutSemanticsTest.rawBits(arrays), DropoutSemanticsTest.rawBits(ys),
                    "the layer's segment backward " + at);
            // In place over the native segment: its own values, overwritten chunk by chunk.
            MemorySegment inPlace = arena.allocate(xs.byteSize(), Float.BYTES).copyFrom(xs);
            parallel.forwardFloats(seed, e, inPlace, X, inPlace, X, n);
            ys = x.clone();
            pair.forward(seed, e, ys, X, ys, X, n);
            assertArrayEquals(DropoutSemanticsTest.rawBits(ys),
                    DropoutSemanticsTest.rawBits(inPlace.toArray(ValueLayout.JAVA_FLOAT)), "segment in place " + at);

            MemorySegment xds = arena.allocate((long) xd.length * Double.BYTES, Double.BYTES);
            MemorySegment.copy(xd, 0, xds, ValueLayout.JAVA_DOUBLE, 0, xd.length);
            dp = doubleOutput(n);
            ds = doubleOutput(n);
            parallel.forwardDoubles(seed, e, xds, X, MemorySegment.ofArray(dp), GUARD, n);
            pair.forwardDoubles(seed, e, xds, X, MemorySegment.ofArray(ds), GUARD, n);
            assertArrayEquals(bits(ds), bits(dp), "float64 segment forward " + at);
            dp = doubleOutput(n);
            ds = doubleOutput(n);
            parallel.backwardDoubles(seed, e, xds, X, MemorySegment.ofArray(dp), GUARD, n);
            pair.backwardDoubles(seed, e, xds, X, MemorySegment.ofArray(ds), GUARD, n);
            assertArrayEquals(bits(ds), bits(dp), "float64 segment backward " + at);
            double[] arraysD = doubleOutput(n);
            pair.backward(seed, e, xd, X, arraysD, GUARD, n);
            assertArrayEquals(bits(arraysD), bits(ds), "the layer's float64 segment backward " + at);
        }
    }

    @Test
    void everyCallEqualsTheLayersOwnForEveryLayoutTypeAndBuffer() {
        for (int threads : new int[] {3}) { // other pool sizes: ParallelDropoutTest, on the same chunk loop
            for (Pair pair : pairs(pool(threads), threads)) {
                for (int n : lengths(pair.layout())) {
                    for (long e : new long[] {0, 1, (1L << 40) + 7}) {
                        assertSameAsLayer(pair, n, e);
                    }
                }
            }
        }
    }

    @Test
    void smallChunksCutSamplesAnywhereAndChangeNothing() {
        ForkJoinPool pool = pool(4);
        // 64 threads a call on a pool of 4: chunks of n / 64 (64 and up), so chunks of 64 cut samples of thousands,
        // some inside one row or run.
        for (Pair pair : pairs(pool, 64)) {
            Pair small = new Pair(pair.parallel().withMinChunkLength(ParallelDropout.ALIGNMENT), pair.dropout(),
                    pair.noise());
            int sample = sample(pair.layout());
            for (int samples : new int[] {1, 2, 3, 5}) {
                int n = Math.max(samples * sample, 64 * samples + samples); // several chunks of 64, a short last one
                n = n / sample * sample;
                assertSameAsLayer(small, n, samples);
            }
        }
    }

    @Test
    void sharedGlobalAutomaticAndHeapSegmentsAreSplit() {
        ForkJoinPool pool = pool(2);
        CountingExecutor counting = new CountingExecutor(pool);
        GaussianNoise single = GaussianNoise.of(0.5);
        ParallelGaussian parallel = ParallelGaussian.of(single, counting, 2).withMinParallelLength(0);
        int n = 4 * ParallelGaussian.MIN_CHUNK;
        float[] x = floats(n, 9);
        float[] want = floatOutput(n);
        single.forward(4, 0, x, X, want, GUARD, n);
        try (Arena shared = Arena.ofShared()) {
            Arena[] arenas = {shared, Arena.global(), Arena.ofAuto()};
            for (Arena arena : arenas) {
                MemorySegment xs = arena.allocate((long) x.length * Float.BYTES, Float.BYTES);
                MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
                MemorySegment ys = arena.allocate((long) want.length * Float.BYTES, Float.BYTES);
                int before = counting.submitted();
                parallel.forwardFloats(4, 0, xs, X, ys, GUARD, n);
                assertEquals(before + 1, counting.submitted(), "not split over " + arena);
                assertArrayEquals(DropoutSemanticsTest.rawBits(Arrays.copyOfRange(want, GUARD, GUARD + n)),
                        DropoutSemanticsTest.rawBits(ys.asSlice((long) GUARD * Float.BYTES, (long) n * Float.BYTES)
                                .toArray(ValueLayout.JAVA_FLOAT)), "values over " + arena);
            }
        }
        int before = counting.submitted();
        float[] y = floatOutput(n);
        parallel.forwardFloats(4, 0, MemorySegment.ofArray(x), X, MemorySegment.ofArray(y), GUARD, n);
        assertEquals(before + 1, counting.submitted(), "heap segments are split");
    }

    @Test
    void aConfinedSegmentRunsOnTheCallersThreadAlone() {
        ForkJoinPool pool = pool(2);
        CountingExecutor counting = new CountingExecutor(pool);
        GaussianDropout single = GaussianDropout.of(0.2);
        ParallelGaussian parallel = ParallelGaussian.of(single, counting, 2).withMinParallelLength(0);
        int n = 4 * ParallelGaussian.MIN_CHUNK;
        float[] x = floats(n, 8);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment xs = confined.allocate((long) x.length * Float.BYTES, Float.BYTES);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
            float[] yp = floatOutput(n), ys = floatOutput(n);
            parallel.forwardFloats(3, 0, xs, X, MemorySegment.ofArray(yp), GUARD, n);
            single.forward(3, 0, x, X, ys, GUARD, n);
            assertArrayEquals(DropoutSemanticsTest.rawBits(ys), DropoutSemanticsTest.rawBits(yp));
            assertEquals(0, counting.submitted(), "a confined input was handed to another thread");
            // A confined output, heap input.
            MemorySegment out = confined.allocate((long) yp.length * Float.BYTES, Float.BYTES);
            parallel.forwardFloats(3, 0, MemorySegment.ofArray(x), X, out, GUARD, n);
            assertArrayEquals(DropoutSemanticsTest.rawBits(Arrays.copyOfRange(ys, GUARD, GUARD + n)),
                    DropoutSemanticsTest.rawBits(out.asSlice((long) GUARD * Float.BYTES, (long) n * Float.BYTES)
                            .toArray(ValueLayout.JAVA_FLOAT)));
            assertEquals(0, counting.submitted(), "a confined output was handed to another thread");
        }
    }

    @Test
    void belowTheThresholdNothingIsHandedToTheExecutor() {
        CountingExecutor counting = CountingExecutor.onCallersThread();
        GaussianDropout single = GaussianDropout.of(0.5);
        ParallelGaussian parallel = ParallelGaussian.of(single, counting, 4);
        int below = parallel.minParallelLength() - 1;
        float[] x = floats(below, 3);
        parallel.forward(1, 0, x, X, floatOutput(below), GUARD, below);
        assertEquals(0, counting.submitted());
        int n = parallel.minParallelLength();
        int chunk = Math.max(ParallelGaussian.MIN_CHUNK, ((n + 3) / 4 + 63) / 64 * 64); // not chunkLength's answer
        int chunks = (n + chunk - 1) / chunk;
        float[] big = floats(n, 4);
        parallel.forward(1, 0, big, X, floatOutput(n), GUARD, n);
        assertEquals(Math.min(4, chunks) - 1, counting.submitted(), "at the threshold: one task per helper thread");
    }

    @Test
    void badInputThrowsBeforeAnyTaskStartsAndWritesNothing() {
        CountingExecutor counting = CountingExecutor.onCallersThread();
        GaussianDropout dropout = GaussianDropout.of(0.5).perChannel(ChannelLayout.channelsFirst(4, 1024));
        GaussianNoise noise = GaussianNoise.of(0.5);
        ParallelGaussian pd = ParallelGaussian.of(dropout, counting, 4).withMinParallelLength(0);
        ParallelGaussian pn = ParallelGaussian.of(noise, counting, 4).withMinParallelLength(0);
        int n = 4 * 4096;
        float[] x = floats(n, 1);
        float[] y = floatOutput(n);
        double[] yd = doubleOutput(n);
        MemorySegment ys = MemorySegment.ofArray(floatOutput(n));
        // Each bad call on the parallel form and on the layer: same exception, same message.
        List<List<Runnable>> calls = List.of(
                List.of(() -> pd.forward(1, 0, x, X, y, GUARD, n + 1), () -> dropout.forward(1, 0, x, X, y, GUARD, n + 1)),
                List.of(() -> pd.forward(1, 0, x, X, y, GUARD, n - 1), () -> dropout.forward(1, 0, x, X, y, GUARD, n - 1)),
                List.of(() -> pd.forward(1, -1, x, X, y, GUARD, n), () -> dropout.forward(1, -1, x, X, y, GUARD, n)),
                List.of(() -> pd.backward(1, Long.MAX_VALUE - 1, x, X, y, GUARD, n),
                        () -> dropout.backward(1, Long.MAX_VALUE - 1, x, X, y, GUARD, n)),
                List.of(() -> pn.forward(1, 0, x, X, y, GUARD + 20, n), () -> noise.forward(1, 0, x, X, y, GUARD + 20, n)),
                List.of(() -> pn.backward(1, -5, x, X, y, GUARD, n), () -> noise.backward(1, -5, x, X, y, GUARD, n)),
                List.of(() -> pn.forward(1, 0, widen(x), X, yd, GUARD + 20, n),
                        () -> noise.forward(1, 0, widen(x), X, yd, GUARD + 20, n)),
                List.of(() -> pd.forwardFloats(1, 0, ys, GUARD, ys, GUARD + 1, n),
                        () -> dropout.forwardFloats(1, 0, ys, GUARD, ys, GUARD + 1, n)),
                List.of(() -> pn.backwardDoubles(1, 0, ys, 0, ys, 0, n),
                        () -> GaussianDropout.of(0.5).backwardDoubles(1, 0, ys, 0, ys, 0, n)),
                List.of(() -> pn.forward(1, 0, null, X, y, GUARD, n), () -> noise.forward(1, 0, null, X, y, GUARD, n)));
        for (List<Runnable> pair : calls) {
            RuntimeException expected = assertThrows(RuntimeException.class, pair.get(1)::run);
            RuntimeException actual = assertThrows(RuntimeException.class, pair.get(0)::run);
            assertEquals(expected.getClass(), actual.getClass());
            assertEquals(expected.getMessage(), actual.getMessage());
        }
        assertEquals(0, counting.submitted(), "a task started before the arguments were checked");
        assertArrayEquals(DropoutSemanticsTest.rawBits(floatOutput(n)), DropoutSemanticsTest.rawBits(y),
                "a rejected call wrote");
        assertArrayEquals(bits(doubleOutput(n)), bits(yd), "a rejected call wrote");
        assertArrayEquals(DropoutSemanticsTest.rawBits(floatOutput(n)),
                DropoutSemanticsTest.rawBits(ys.toArray(ValueLayout.JAVA_FLOAT)), "a rejected call wrote");
    }

    @Test
    void itsPoliciesAreTheOnesItWasBuiltWith() {
        ForkJoinPool pool = pool(3);
        ParallelGaussian p = ParallelGaussian.of(GaussianNoise.of(0.1), pool);
        assertEquals(3, p.parallelism());
        assertEquals(ParallelGaussian.MIN_CHUNK, p.minChunkLength());
        assertEquals(ParallelGaussian.DEFAULT_MIN_PARALLEL_LENGTH, p.minParallelLength());
        ParallelGaussian q = p.withMinChunkLength(128).withMinParallelLength(7);
        assertEquals(128, q.minChunkLength());
        assertEquals(7, q.minParallelLength());
        assertEquals(3, q.parallelism());
        assertThrows(IllegalArgumentException.class, () -> p.withMinChunkLength(100));
        assertThrows(IllegalArgumentException.class, () -> p.withMinParallelLength(-1));
        assertThrows(IllegalArgumentException.class, () -> ParallelGaussian.of(GaussianDropout.of(0.1), pool, 0));
        assertThrows(NullPointerException.class, () -> ParallelGaussian.of((GaussianDropout) null, pool));
        assertThrows(NullPointerException.class, () -> ParallelGaussian.of(GaussianNoise.of(0.1), null, 2));
    }
}
