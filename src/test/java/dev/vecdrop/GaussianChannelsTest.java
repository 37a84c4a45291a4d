package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Per-channel {@link GaussianDropout} and {@link GaussianNoise} ({@code perChannel}): every path (float32 and
 * float64, arrays, heap and native segments, in place or not, even and odd stream offsets) against the definition
 * computed here element by element from {@link NormalStream#z} and the layout's decision of each element, bit for
 * bit; whole-sample cuts of a region give the one-call bits; the factors are one normal per {@code (n, c)} with the
 * right mean and variance; the float64 backward against finite differences; bad input, the per-channel checks
 * included, throws before any write. Also a leg of the ISA matrix ({@code matrix}): the normals' lay-out by decision
 * (a permute of one or two vectors, or a gather) depends on the lanes, so each width runs it (stop 28).
 */
@Tag("semantics")
@Tag("matrix")
class GaussianChannelsTest {

    private static final GaussianDropout DROPOUT = GaussianDropout.of(0.3);
    private static final GaussianNoise NOISE = GaussianNoise.of(0.7);
    private static final long[] STREAM_OFFSETS = {0, 1, 1023, (1L << 40) + 1};

    /**
     * Layouts and sample counts: runs and rows shorter and longer than a vector, channel counts past the 1,024
     * normals of a block (channels last fills them in blocks), and regions past the segment path's 1,024-element
     * chunks, so chunks start inside samples, runs and rows.
     */
    private static final List<Object[]> CASES = List.of(
            new Object[] {ChannelLayout.channelsFirst(3, 5), 2},
            new Object[] {ChannelLayout.channelsFirst(1, 1), 7},
            new Object[] {ChannelLayout.channelsFirst(5, 333), 3},
            new Object[] {ChannelLayout.channelsFirst(1100, 2), 1},
            new Object[] {ChannelLayout.channelsLast(4, 3), 3},
            new Object[] {ChannelLayout.channelsLast(700, 3), 2},
            new Object[] {ChannelLayout.channelsLast(3, 1500), 2},
            new Object[] {ChannelLayout.channelsLast(3, 1000), 2},
            new Object[] {ChannelLayout.channelsLast(1, 17), 5},
            // Rows of several blocks of normals: segment chunks lie inside one row, from a block's start and (odd
            // stream offsets) from inside a block, and take only the blocks they reach.
            new Object[] {ChannelLayout.channelsLast(1, 5000), 2},
            // Short runs and small samples past a segment chunk: a chunk starts inside a run or a sample.
            new Object[] {ChannelLayout.channelsFirst(7, 5), 40},
            new Object[] {ChannelLayout.channelsLast(4, 3), 100},
            // Small samples past a block of normals (341 samples of 3 channels fill 1,023), so the block is refilled
            // mid-call and a fill's elements go in two blocks; samples of 126 elements, the longest laid out.
            new Object[] {ChannelLayout.channelsLast(2, 3), 400},
            new Object[] {ChannelLayout.channelsLast(9, 14), 30},
            // More than a block of scaled runs; runs of 20 and 31 (the longest taken by decision); runs of 1 over
            // many vectors (the permute's widest reach, LANES - 1); samples of 400, 5 to a block of normals, 12 of
            // them (the block refilled mid-call).
            new Object[] {ChannelLayout.channelsFirst(1100, 32), 1},
            new Object[] {ChannelLayout.channelsFirst(3, 20), 20},
            new Object[] {ChannelLayout.channelsFirst(2, 31), 20},
            new Object[] {ChannelLayout.channelsFirst(40, 1), 30},
            new Object[] {ChannelLayout.channelsLast(2, 200), 12},
            // Channels in whole vectors of every width: rows combined in place from the normals; partial rows at the
            // segment chunks' edges (1,024 and 1,023 elements), 16 and 1 samples to a block of normals.
            new Object[] {ChannelLayout.channelsLast(5, 64), 9},
            new Object[] {ChannelLayout.channelsLast(3, 1024), 2},
            new Object[] {ChannelLayout.channelsLast(8, 16), 40},
            // Channels-first runs in whole vectors of every width: all runs of a block in one vector loop, runs cut
            // by the segment chunks' edges one at a time.
            new Object[] {ChannelLayout.channelsFirst(4, 64), 20},
            new Object[] {ChannelLayout.channelsFirst(3, 48), 9},
            // Runs longer than a segment chunk (a chunk inside one run); rows of 512 channels, two samples to a
            // block of normals, so the block is refilled mid-call and odd samples read it from channel 512 on.
            new Object[] {ChannelLayout.channelsFirst(2, 2048), 2},
            new Object[] {ChannelLayout.channelsLast(2, 512), 5},
            // Small channels-last samples at the edges of their permutes (PanamaNormals.spreadVectors), whose vectors
            // reach decisions up to lanes - 1 past their base (one vector of normals), lanes (two), 2 lanes - 1 (two)
            // and 2 lanes (a gather): at 16 lanes 2 rows of 8, 1 of 2, 2 of 17, 2 of 18; at 8, 2 rows of 4, 1 of 2,
            // 2 of 9, 2 of 10; at 4, 2 rows of 2, 1 of 2, 2 of 5, 2 of 6. Over 2,048 elements each: the segment
            // path's chunks then start a vector at every phase of a sample, where those reaches are met.
            new Object[] {ChannelLayout.channelsLast(2, 8), 140},
            new Object[] {ChannelLayout.channelsLast(1, 2), 1100},
            new Object[] {ChannelLayout.channelsLast(2, 17), 70},
            new Object[] {ChannelLayout.channelsLast(2, 18), 70},
            new Object[] {ChannelLayout.channelsLast(2, 4), 280},
            new Object[] {ChannelLayout.channelsLast(2, 9), 130},
            new Object[] {ChannelLayout.channelsLast(2, 10), 120},
            new Object[] {ChannelLayout.channelsLast(2, 2), 560},
            new Object[] {ChannelLayout.channelsLast(2, 5), 230},
            new Object[] {ChannelLayout.channelsLast(2, 6), 190});

    private enum Op { DROPOUT_FORWARD, DROPOUT_BACKWARD, NOISE_FORWARD }

    /** The stream element of region element {@code i}: its {@code (n, c)} decision's. */
    static long decision(ChannelLayout layout, long i) {
        long c = layout.channels();
        long s = layout.positions();
        return switch (layout.kind()) {
            case ELEMENTWISE -> i;
            case CHANNELS_FIRST -> i / s;
            case CHANNELS_LAST -> (i / (c * s)) * c + i % c;
        };
    }

    private static float expected(Op op, ChannelLayout layout, long seed, long e, int i, float x) {
        float z = NormalStream.z(seed, e + decision(layout, i));
        return op == Op.NOISE_FORWARD ? Math.fma(NOISE.stddevFloat(), z, x) : x * Math.fma(DROPOUT.sigma(), z, 1f);
    }

    private static double expected(Op op, ChannelLayout layout, long seed, long e, int i, double x) {
        double z = NormalStream.z(seed, e + decision(layout, i));
        return op == Op.NOISE_FORWARD ? Math.fma(NOISE.stddev(), z, x)
                : x * Math.fma(DROPOUT.sigmaDouble(), z, 1.0);
    }

    private static void run(Op op, ChannelLayout layout, long seed, long e, float[] x, int xOff, float[] y, int yOff,
                            int n) {
        switch (op) {
            case DROPOUT_FORWARD -> DROPOUT.perChannel(layout).forward(seed, e, x, xOff, y, yOff, n);
            case DROPOUT_BACKWARD -> DROPOUT.perChannel(layout).backward(seed, e, x, xOff, y, yOff, n);
            case NOISE_FORWARD -> NOISE.perChannel(layout).forward(seed, e, x, xOff, y, yOff, n);
        }
    }

    private static void run(Op op, ChannelLayout layout, long seed, long e, double[] x, int xOff, double[] y,
                            int yOff, int n) {
        switch (op) {
            case DROPOUT_FORWARD -> DROPOUT.perChannel(layout).forward(seed, e, x, xOff, y, yOff, n);
            case DROPOUT_BACKWARD -> DROPOUT.perChannel(layout).backward(seed, e, x, xOff, y, yOff, n);
            case NOISE_FORWARD -> NOISE.perChannel(layout).forward(seed, e, x, xOff, y, yOff, n);
        }
    }

    private static void runSegments(Op op, ChannelLayout layout, long seed, long e, boolean floats, MemorySegment x,
                                    long xOff, MemorySegment y, long yOff, long n) {
        GaussianDropout dropout = DROPOUT.perChannel(layout);
        GaussianNoise noise = NOISE.perChannel(layout);
        switch (op) {
            case DROPOUT_FORWARD -> {
                if (floats) {
                    dropout.forwardFloats(seed, e, x, xOff, y, yOff, n);
                } else {
                    dropout.forwardDoubles(seed, e, x, xOff, y, yOff, n);
                }
            }
            case DROPOUT_BACKWARD -> {
                if (floats) {
                    dropout.backwardFloats(seed, e, x, xOff, y, yOff, n);
                } else {
                    dropout.backwardDoubles(seed, e, x, xOff, y, yOff, n);
                }
            }
            case NOISE_FORWARD -> {
                if (floats) {
                    noise.forwardFloats(seed, e, x, xOff, y, yOff, n);
                } else {
                    noise.forwardDoubles(seed, e, x, xOff, y, yOff, n);
                }
            }
        }
    }

    @Test
    void float32EveryPathMatchesThePerChannelDefinitionBitForBit() {
        SplittableRandom random = new SplittableRandom(21);
        try (Arena arena = Arena.ofConfined()) {
            for (Object[] c : CASES) {
                ChannelLayout layout = (ChannelLayout) c[0];
                int n = (int) ((long) layout.channels() * layout.positions() * (int) c[1]);
                for (long e : STREAM_OFFSETS) {
                    for (Op op : Op.values()) {
                        long seed = random.nextLong();
                        int xOff = random.nextInt(3);
                        int yOff = random.nextInt(3);
                        float[] x = new float[xOff + n + 2];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) (random.nextGaussian() * 4);
                        }
                        String at = op + " " + layout + " e=" + e;
                        float[] want = new float[yOff + n + 2];
                        for (int i = 0; i < n; i++) {
                            want[yOff + i] = expected(op, layout, seed, e, i, x[xOff + i]);
                        }
                        float[] y = new float[want.length];
                        run(op, layout, seed, e, x, xOff, y, yOff, n);
                        assertArrayEquals(want, y, at);
                        float[] inPlace = x.clone();
                        run(op, layout, seed, e, inPlace, xOff, inPlace, xOff, n);
                        for (int i = 0; i < x.length; i++) {
                            float w = i >= xOff && i < xOff + n ? want[yOff + i - xOff] : x[i];
                            assertEquals(Float.floatToRawIntBits(w), Float.floatToRawIntBits(inPlace[i]),
                                    at + " in place, element " + i);
                        }
                        MemorySegment xs = arena.allocate((long) x.length * Float.BYTES, 8);
                        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, x.length);
                        float[] yh = new float[want.length];
                        runSegments(op, layout, seed, e, true, xs, xOff, MemorySegment.ofArray(yh), yOff, n);
                        assertArrayEquals(want, yh, at + " native to heap segments");
                    }
                }
            }
        }
    }

    @Test
    void float64EveryPathMatchesThePerChannelDefinitionBitForBit() {
        SplittableRandom random = new SplittableRandom(22);
        try (Arena arena = Arena.ofConfined()) {
            for (Object[] c : CASES) {
                ChannelLayout layout = (ChannelLayout) c[0];
                int n = (int) ((long) layout.channels() * layout.positions() * (int) c[1]);
                for (long e : STREAM_OFFSETS) {
                    for (Op op : Op.values()) {
                        long seed = random.nextLong();
                        int xOff = random.nextInt(3);
                        int yOff = random.nextInt(3);
                        double[] x = new double[xOff + n + 2];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = random.nextGaussian() * 4;
                        }
                        String at = op + " " + layout + " e=" + e;
                        double[] want = new double[yOff + n + 2];
                        for (int i = 0; i < n; i++) {
                            want[yOff + i] = expected(op, layout, seed, e, i, x[xOff + i]);
                        }
                        double[] y = new double[want.length];
                        run(op, layout, seed, e, x, xOff, y, yOff, n);
                        assertArrayEquals(want, y, at);
                        MemorySegment ys = arena.allocate((long) want.length * Double.BYTES, 8);
                        runSegments(op, layout, seed, e, false, MemorySegment.ofArray(x.clone()), xOff, ys, yOff, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_DOUBLE), at + " heap to native segments");
                        MemorySegment inPlace = arena.allocate((long) x.length * Double.BYTES, 8);
                        MemorySegment.copy(x, 0, inPlace, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, x.length);
                        runSegments(op, layout, seed, e, false, inPlace, xOff, inPlace, xOff, n);
                        double[] got = inPlace.toArray(ValueLayout.JAVA_DOUBLE);
                        for (int i = 0; i < x.length; i++) {
                            double w = i >= xOff && i < xOff + n ? want[yOff + i - xOff] : x[i];
                            assertEquals(Double.doubleToRawLongBits(w), Double.doubleToRawLongBits(got[i]),
                                    at + " in place native segment, element " + i);
                        }
                    }
                }
            }
        }
    }

    /** A region cut into calls at whole samples, each call at its own stream offset, gives the one call's bits. */
    @Test
    void wholeSampleCutsGiveTheOneCallResult() {
        SplittableRandom random = new SplittableRandom(23);
        for (Object[] c : CASES) {
            ChannelLayout layout = (ChannelLayout) c[0];
            int sample = layout.channels() * layout.positions();
            int samples = (int) c[1] + 3;
            float[] x = new float[sample * samples];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            GaussianDropout dropout = DROPOUT.perChannel(layout);
            float[] whole = new float[x.length];
            dropout.forward(5, 9, x, 0, whole, 0, x.length);
            float[] cut = new float[x.length];
            for (int m = 0; m < samples; ) {
                int take = 1 + random.nextInt(samples - m);
                dropout.forward(5, 9 + (long) m * layout.channels(), x, m * sample, cut, m * sample, take * sample);
                m += take;
            }
            assertArrayEquals(whole, cut, layout.toString());
        }
    }

    /**
     * One factor per {@code (n, c)}: every element of a decision gets the same factor, and the factors over 2^16
     * decisions have mean 1 and variance sigma^2 (5 standard errors), in both layouts; the noise likewise.
     */
    @Test
    void oneFactorPerChannelWithMeanOneAndVarianceSigmaSquared() {
        double sigma = Math.sqrt(0.5 / (1 - 0.5));
        int channels = 64;
        int positions = 3;
        int samples = 1024;
        int n = channels * positions * samples;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        for (ChannelLayout layout : List.of(ChannelLayout.channelsFirst(channels, positions),
                ChannelLayout.channelsLast(positions, channels))) {
            float[] y = new float[n];
            GaussianDropout.of(0.5).perChannel(layout).forward(Seeds.derive(31, 1), 77, ones, 0, y, 0, n);
            double[] noise = new double[n];
            GaussianNoise.of(0.3).perChannel(layout).forward(Seeds.derive(31, 2), 77, new double[n], 0, noise, 0, n);
            int decisions = channels * samples;
            double[] factors = new double[decisions];
            double[] shifts = new double[decisions];
            boolean[] seen = new boolean[decisions];
            for (int i = 0; i < n; i++) {
                int d = (int) decision(layout, i);
                if (!seen[d]) {
                    seen[d] = true;
                    factors[d] = y[i] - 1.0;
                    shifts[d] = noise[i];
                } else {
                    assertEquals(factors[d], y[i] - 1.0, 0, layout + ": element " + i + " of decision " + d);
                    assertEquals(shifts[d], noise[i], 0, layout + ": noise element " + i + " of decision " + d);
                }
            }
            GaussianLayersTest.assertMeanAndVariance("per-channel gaussian dropout " + layout, factors, 0, sigma);
            GaussianLayersTest.assertMeanAndVariance("per-channel gaussian noise " + layout, shifts, 0, 0.3);
        }
    }

    /** {@code L = sum w_i y_i}: the float64 per-channel backward with {@code dy = w} against central differences. */
    @Test
    void perChannelBackwardMatchesFiniteDifferencesInFloat64() {
        SplittableRandom random = new SplittableRandom(24);
        for (ChannelLayout layout : List.of(ChannelLayout.channelsFirst(3, 7), ChannelLayout.channelsLast(7, 3))) {
            GaussianLayersTest.assertBackwardMatchesFiniteDifferences(layout.toString(),
                    GaussianDropout.of(0.4).perChannel(layout), Seeds.derive(9, 4), 77, 3 * 7 * 4, random);
        }
    }

    /**
     * A length that is not whole samples, and a stream offset whose {@code N * C} decisions pass 2^63 - 1, throw
     * before anything is written, on arrays and segments, for both layers; an offset whose decisions fit is taken
     * even where the elements would not (the stream counts decisions); a null layout is refused.
     */
    @Test
    void perChannelBadInputThrowsAndWritesNothing() {
        ChannelLayout layout = ChannelLayout.channelsLast(4, 2); // a sample is 8 elements, 2 decisions
        GaussianDropout dropout = DROPOUT.perChannel(layout);
        GaussianNoise noise = NOISE.perChannel(layout);
        float[] x = new float[32];
        float[] y = new float[32];
        double[] xd = new double[32];
        double[] yd = new double[32];
        for (int i = 0; i < 32; i++) {
            x[i] = i + 1;
            y[i] = -(i + 1);
            xd[i] = i + 1;
            yd[i] = -(i + 1);
        }
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment ys = MemorySegment.ofArray(y);
        MemorySegment xds = MemorySegment.ofArray(xd);
        MemorySegment yds = MemorySegment.ofArray(yd);
        float[] x0 = x.clone();
        float[] y0 = y.clone();
        double[] xd0 = xd.clone();
        double[] yd0 = yd.clone();
        List<Executable> calls = new ArrayList<>();
        for (int n : new int[] {12, 7}) { // not whole samples
            calls.add(() -> dropout.forward(1, 0, x, 0, y, 0, n));
            calls.add(() -> dropout.backward(1, 0, xd, 0, yd, 0, n));
            calls.add(() -> noise.forward(1, 0, x, 0, y, 0, n));
            calls.add(() -> noise.backward(1, 0, xd, 0, yd, 0, n));
            calls.add(() -> dropout.forwardFloats(1, 0, xs, 0, ys, 0, n));
            calls.add(() -> dropout.backwardDoubles(1, 0, xds, 0, yds, 0, n));
            calls.add(() -> noise.forwardFloats(1, 0, xs, 0, ys, 0, n));
            calls.add(() -> noise.forwardDoubles(1, 0, xds, 0, yds, 0, n));
        }
        // 16 elements are 4 decisions: Long.MAX_VALUE - 4 is the last offset they may start at.
        calls.add(() -> dropout.eval(x, 0, y, 0, 12)); // eval takes whole samples too, as Dropout's does
        calls.add(() -> noise.eval(xd, 0, yd, 0, 7));
        calls.add(() -> dropout.forward(1, Long.MAX_VALUE - 3, x, 0, y, 0, 16));
        calls.add(() -> noise.forward(1, Long.MAX_VALUE - 3, xd, 0, yd, 0, 16));
        calls.add(() -> dropout.forwardDoubles(1, Long.MAX_VALUE - 3, xds, 0, yds, 0, 16));
        calls.add(() -> noise.forwardFloats(1, Long.MAX_VALUE - 3, xs, 0, ys, 0, 16));
        for (int i = 0; i < calls.size(); i++) {
            assertThrows(IllegalArgumentException.class, calls.get(i), "call " + i);
            assertArrayEquals(x0, x, "call " + i + " wrote x");
            assertArrayEquals(y0, y, "call " + i + " wrote y");
            assertArrayEquals(xd0, xd, "call " + i + " wrote xd");
            assertArrayEquals(yd0, yd, "call " + i + " wrote yd");
        }
        // A length of 0 is 0 samples: taken at any offset, nothing written.
        dropout.forward(1, Long.MAX_VALUE, x, 0, y, 0, 0);
        noise.forwardDoubles(1, Long.MAX_VALUE, xds, 0, yds, 0, 0);
        assertArrayEquals(y0, y, "a length of 0 wrote y");
        assertArrayEquals(yd0, yd, "a length of 0 wrote yd");
        assertThrows(NullPointerException.class, () -> GaussianDropout.of(0.5).perChannel(null));
        assertThrows(NullPointerException.class, () -> GaussianNoise.of(0.5).perChannel(null));
        // The last offset 16 elements (4 decisions) may start at, taken; element-wise it would be refused.
        dropout.forward(1, Long.MAX_VALUE - 4, x, 0, y, 0, 16);
        assertTrue(y[0] != y0[0], "the call at the last offset wrote");
        assertThrows(IllegalArgumentException.class,
                () -> GaussianDropout.of(0.3).forward(1, Long.MAX_VALUE - 4, x, 0, y, 0, 16));
    }
}
