package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Tag;

/**
 * Properties over random sizes 0..5000, stream offsets up to 2^62, probabilities from all of [0, 1], seeds and both
 * scalings, on the kernels this JVM picked (the default leg's widest width and the scalar leg's reference). jqwik prints the seed
 * of any failing case, so it can be replayed.
 */
@Tag("semantics")
class DropoutPropertiesTest {

    /** The scalings whose forward is their backward (alpha dropout's forward is affine). */
    @Provide
    Arbitrary<Scaling> zeroingScalings() {
        return Arbitraries.of(Scaling.INVERTED, Scaling.CLASSIC);
    }

    @Provide
    Arbitrary<Long> streamOffsets() {
        return Arbitraries.longs().between(0, 1L << 62);
    }

    /**
     * Drop probabilities from the whole of {@code [0, 1]}, not a grid: {@code Arbitraries.doubles().between(0, 1)}
     * has scale 2 and would only ever give 0.00, 0.01, ..., 1.00. Mixes every double in {@code [0, 1]} by bit
     * pattern (mostly tiny values), a log-uniform spread down to 2^-64 and its mirror {@code 1 - d} (values
     * crowding 1), uniform values on the 2^-53 grid, exact threshold steps {@code 1 - T / 2^32}, the last double
     * with threshold {@code T} and the first with {@code T - 1} (they differ by one ulp), and the edges where the threshold saturates
     * or just fails to.
     */
    @Provide
    Arbitrary<Double> probabilities() {
        Arbitrary<Double> anyDouble = Arbitraries.longs().between(0, Double.doubleToLongBits(1.0))
                .withDistribution(RandomDistribution.uniform()).map(Double::longBitsToDouble);
        // By bit pattern over the 64 binades below 1: log-uniform, so 2^-40 is as likely as 0.3.
        Arbitrary<Double> logUniform = Arbitraries.longs()
                .between(Double.doubleToLongBits(0x1p-64), Double.doubleToLongBits(1.0))
                .withDistribution(RandomDistribution.uniform()).map(Double::longBitsToDouble);
        Arbitrary<Double> uniform = Arbitraries.longs().between(0, 1L << 53)
                .withDistribution(RandomDistribution.uniform()).map(k -> k * 0x1p-53);
        Arbitrary<Double> thresholdStep = Arbitraries.longs().between(1, 1L << 32)
                .withDistribution(RandomDistribution.uniform())
                .flatMap(t -> {
                    double first = firstDoubleBelowThreshold(t);
                    return Arbitraries.of(1.0 - t * 0x1p-32, Math.nextDown(first), first);
                });
        Arbitrary<Double> edges = Arbitraries.of(0.0, 1.0, 0.5, Math.nextDown(0.5), Math.nextUp(0.5),
                Double.MIN_VALUE, 0x1p-54, Math.nextDown(0x1p-53), 0x1p-53, Math.ulp(1.0), 1e-12, 1e-9,
                0x1p-33, 0x1p-32, Math.nextUp(0x1p-32), 1 - 0x1p-32, Math.nextUp(1 - 0x1p-32),
                Math.nextDown(1 - 0x1p-32), 1 - 0x1p-33, Math.nextDown(1.0), 1 - 1e-9, 1 - 1e-12);
        return Arbitraries.frequencyOf(
                Tuple.of(2, anyDouble),
                Tuple.of(3, logUniform),
                Tuple.of(2, logUniform.map(d -> 1.0 - d)),
                Tuple.of(3, uniform),
                Tuple.of(2, thresholdStep),
                Tuple.of(2, edges));
    }

    /** The smallest {@code p} with {@code threshold(p) < t}, for {@code 1 <= t <= 2^32}: the next double has {@code t - 1}. */
    static double firstDoubleBelowThreshold(long t) {
        long lo = Double.doubleToLongBits(1.0 - t * 0x1p-32); // threshold t: (1 - p) * 2^32 is exactly t
        long hi = Double.doubleToLongBits(1.0);               // threshold 0 < t
        while (hi - lo > 1) { // threshold(p) does not increase with p, and neither do the bits of positive doubles
            long mid = (lo + hi) >>> 1;
            if (MaskStream.threshold(Double.longBitsToDouble(mid)) < t) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return Double.longBitsToDouble(hi);
    }

    /**
     * The generator itself must reach the parts of {@code [0, 1]} that matter; a grid of hundredths, or values
     * that never come near an end or a threshold step, fail the coverage checks. jqwik prints the table. A fixed
     * seed: the checks are on the generator's code, and a random seed failed them by chance about once in 10^5 runs
     * (the other properties keep drawing new seeds from the same generator).
     */
    @Property(seed = "31")
    void probabilitiesCoverTheWholeUnitIntervalNotAGrid(@ForAll("probabilities") double p) {
        long t = MaskStream.threshold(p);
        boolean hundredths = Math.rint(p * 100) / 100 == p; // the double nearest to k / 100 for some integer k
        Statistics.label("grid").collect(hundredths ? "multiple of 0.01" : "not a multiple of 0.01");
        String where;
        if (p == 0 || p == 1) {
            where = "0 or 1";
        } else if (t == MaskStream.KEEP_ALL || t == 0) {
            where = "inside (0, 1) but saturated";
        } else if (t == MaskStream.KEEP_ALL - 1 || t == 1) {
            where = "last threshold before saturation";
        } else if (MaskStream.threshold(Math.nextDown(p)) != t) {
            where = "first double of its threshold";
        } else if (MaskStream.threshold(Math.nextUp(p)) != t) {
            where = "last double of its threshold";
        } else if (p == 1 - t * 0x1p-32) {
            where = "p = 1 - T / 2^32 exactly";
        } else {
            where = "elsewhere";
        }
        Statistics.label("where").collect(where);
        Statistics.label("grid").coverage(c -> c.check("not a multiple of 0.01").percentage(q -> q > 70));
        Statistics.label("where").coverage(c -> {
            c.check("0 or 1").percentage(q -> q > 0.5);
            c.check("inside (0, 1) but saturated").percentage(q -> q > 5);
            c.check("last threshold before saturation").percentage(q -> q > 0.3);
            c.check("p = 1 - T / 2^32 exactly").percentage(q -> q > 0.5);
            c.check("first double of its threshold").percentage(q -> q > 2);
            c.check("last double of its threshold").percentage(q -> q > 2);
            c.check("elsewhere").percentage(q -> q > 20);
        });
    }

    private static float[] inputs(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(16) == 0 ? Float.NaN : (float) random.nextGaussian() * 100;
        }
        return x;
    }

    private static int[] bits(float[] a) {
        return DropoutSemanticsTest.rawBits(a);
    }

    @Property
    void vectorKernelsEqualTheScalarReference(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                              @ForAll("probabilities") double p, @ForAll long seed, @ForAll Scaling scaling) {
        net.jqwik.api.Assume.that(scaling != Scaling.ALPHA || p < 1); // alpha dropout rejects p = 1
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] y = new float[n];
        float[] expected = new float[n];
        long[] mask = new long[Dropout.maskWords(n)];
        long[] expectedMask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, offset, x, 0, y, 0, n, mask, 0);
        dropout.scalarReference().forward(seed, offset, x, 0, expected, 0, n, expectedMask, 0);
        assertArrayEquals(bits(expected), bits(y));
        assertArrayEquals(expectedMask, mask);
    }

    @Property
    void chunkedCallsEqualOneCall(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                  @ForAll("probabilities") double p, @ForAll long seed, @ForAll Scaling scaling) {
        net.jqwik.api.Assume.that(scaling != Scaling.ALPHA || p < 1); // alpha dropout rejects p = 1
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] whole = new float[n];
        long[] wholeMask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, offset, x, 0, whole, 0, n, wholeMask, 0);
        float[] chunked = new float[n];
        long[] chunkedMask = new long[Dropout.maskWords(n)];
        SplittableRandom cuts = new SplittableRandom(seed ^ n);
        for (int done = 0; done < n; ) {
            // Masks are call-relative, so chunks that write masks start on word boundaries; the last may be short.
            int chunk = Math.min(n - done, 64 * (1 + cuts.nextInt(8)));
            dropout.forward(seed, offset + done, x, done, chunked, done, chunk, chunkedMask, done >>> 6);
            done += chunk;
        }
        assertArrayEquals(bits(whole), bits(chunked));
        assertArrayEquals(wholeMask, chunkedMask);
        float[] ragged = new float[n];
        for (int done = 0; done < n; ) {
            int chunk = 1 + cuts.nextInt(n - done);
            dropout.forward(seed, offset + done, x, done, ragged, done, chunk);
            done += chunk;
        }
        assertArrayEquals(bits(whole), bits(ragged));
    }

    @Property
    void inPlaceEqualsOutOfPlace(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                 @ForAll("probabilities") double p, @ForAll long seed, @ForAll Scaling scaling) {
        net.jqwik.api.Assume.that(scaling != Scaling.ALPHA || p < 1); // alpha dropout rejects p = 1
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] out = new float[n];
        dropout.forward(seed, offset, x, 0, out, 0, n);
        float[] inPlace = x.clone();
        dropout.forward(seed, offset, inPlace, 0, inPlace, 0, n);
        assertArrayEquals(bits(out), bits(inPlace));
    }

    @Property
    void bothBackwardsEqualForwardAppliedToTheGradient(@ForAll @IntRange(max = 5000) int n,
            @ForAll("streamOffsets") long offset, @ForAll("probabilities") double p, @ForAll long seed,
            @ForAll("zeroingScalings") Scaling scaling) {
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] dy = inputs(~seed, n);
        long[] mask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, offset, x, 0, new float[n], 0, n, mask, 0);
        float[] fromBits = new float[n];
        float[] regenerated = new float[n];
        float[] forwardOnDy = new float[n];
        dropout.backward(mask, 0, dy, 0, fromBits, 0, n);
        dropout.backward(seed, offset, dy, 0, regenerated, 0, n);
        dropout.forward(seed, offset, dy, 0, forwardOnDy, 0, n);
        assertArrayEquals(bits(forwardOnDy), bits(regenerated));
        assertArrayEquals(bits(forwardOnDy), bits(fromBits));
    }

    @Property
    void classicAndInvertedAgreeUpToTheScale(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                             @ForAll("probabilities") double p, @ForAll long seed) {
        Dropout inverted = Dropout.inverted(p);
        float[] x = inputs(seed, n);
        float[] a = new float[n];
        float[] b = new float[n];
        inverted.forward(seed, offset, x, 0, a, 0, n);
        Dropout.classic(p).forward(seed, offset, x, 0, b, 0, n);
        float s = inverted.trainScale();
        for (int i = 0; i < n; i++) {
            float expected = s == 1.0f ? b[i] : b[i] * s;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(a[i]), "element " + i);
        }
    }

    @Property
    void evalIsExact(@ForAll @IntRange(max = 5000) int n, @ForAll("probabilities") double p, @ForAll long seed) {
        float[] x = inputs(seed, n);
        float[] y = new float[n];
        Dropout.inverted(p).eval(x, 0, y, 0, n);
        assertArrayEquals(bits(x), bits(y));
        Dropout classic = Dropout.classic(p);
        classic.eval(x, 0, y, 0, n);
        float q = (float) (1 - p);
        for (int i = 0; i < n; i++) {
            float expected = x[i] * q; // even where q is 1: the contract's x * (float) q
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), "element " + i);
        }
    }
}
