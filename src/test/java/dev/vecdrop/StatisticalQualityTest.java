package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.stats.Binomial;
import dev.vecdrop.stats.Fips140;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * The masks are random enough: keep counts, FIPS 140-1 bit tests (whole stream and per vector lane), pairwise
 * independence, and the expectation-preserving property of inverted dropout. Seeds are fixed, so every run is
 * the same; every bound is set so that an ideal generator fails a test with probability below 1e-6 (FIPS tests:
 * the standard's own bounds, about 1e-6 each). Runs on whatever kernels this JVM picked: the default leg's widest and the
 * scalar leg's; the other widths give the same mask bits (VectorMatchesScalarTest).
 */
@Tag("semantics")
class StatisticalQualityTest {

    private static final int TEN_MILLION = 10_000_000;

    private static long[] mask(long seed, long offset, int n, double p) {
        long[] words = new long[Dropout.maskWords(n)];
        Dropout.inverted(p).mask(seed, offset, words, 0, n);
        return words;
    }

    private static boolean bit(long[] words, long i) {
        return ((words[(int) (i >>> 6)] >>> i) & 1) != 0;
    }

    /**
     * At least 10^7 elements, and enough that the rarer outcome (keep or drop) is expected 100 times: with only
     * 10 expected (p = 1e-6 at 10^7) P(none) = e^-10 is above the tail, so the bound on that side was 0 or n and
     * "keep everything" or "drop everything" passed. p = 1e-6 and 1 - 1e-6 now use 10^8 elements.
     */
    @ParameterizedTest
    @ValueSource(doubles = {1e-6, 0.01, 0.1, 0.5, 0.9, 0.99, 1 - 1e-6})
    void keepCountIsWithinExactBinomialBoundsThatExcludeKeepAllAndDropAll(double p) {
        Dropout dropout = Dropout.inverted(p);
        double q = dropout.keepProbability();
        int n = (int) Math.max(TEN_MILLION, Math.ceil(100 / Math.min(q, 1 - q)));
        long[] bounds = Binomial.acceptance(n, q, 1e-6);
        assertTrue(bounds[0] > 0 && bounds[1] < n, "p=" + p + ": acceptance [" + bounds[0] + ", " + bounds[1]
                + "] of " + n + " would accept dropping or keeping everything");
        long kept = 0;
        for (long w : mask(0xC0FFEE, 12_345, n, p)) {
            kept += Long.bitCount(w);
        }
        assertTrue(kept >= bounds[0] && kept <= bounds[1],
                "p=" + p + ": kept " + kept + " of " + n + ", acceptance [" + bounds[0] + ", " + bounds[1] + "]");
    }

    /** 20,000 mask bits at p = 0.5: elements start, start + stride, start + 2 stride, ... */
    private static boolean[] sequence(long seed, long offset, int start, int stride) {
        long[] words = mask(seed, offset, start + stride * Fips140.BITS, 0.5);
        boolean[] bits = new boolean[Fips140.BITS];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = bit(words, start + (long) stride * i);
        }
        return bits;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 42, -7, 0x9e3779b97f4a7c15L})
    void fipsBitTestsPassOnTheMaskStream(long seed) {
        for (long offset : new long[] {0, 1, 1L << 40}) {
            assertNull(Fips140.all(sequence(seed, offset, 0, 1)), "seed " + seed + " offset " + offset);
        }
    }

    @Test
    void fipsBitTestsPassOnEveryLanePositionSoNoBrokenLaneCanHide() {
        // Every 16th element is one lane of a 512-bit float vector; every 8th, one lane of a 256-bit one.
        for (int stride : new int[] {16, 8}) {
            for (int lane = 0; lane < stride; lane++) {
                assertNull(Fips140.all(sequence(2024, 0, lane, stride)), "stride " + stride + " lane " + lane);
            }
        }
    }

    /** Chi-squared (1 degree of freedom) of the 2x2 table of two bit sequences. */
    private static double chiSquared(long n11, long n10, long n01, long n00) {
        double n = n11 + n10 + n01 + n00;
        double rowA = n11 + n10;
        double rowNotA = n01 + n00;
        double colB = n11 + n01;
        double colNotB = n10 + n00;
        double[] observed = {n11, n10, n01, n00};
        double[] expected = {rowA * colB / n, rowA * colNotB / n, rowNotA * colB / n, rowNotA * colNotB / n};
        double chi = 0;
        for (int i = 0; i < 4; i++) {
            chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        }
        return chi;
    }

    /** P(chi-squared with 1 dof > 28.37) = 1e-7: eight comparisons per test stay below 1e-6. */
    private static final double CHI2_1DOF_1E7 = 28.37;

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.1})
    void neighboursAtDistancesOneToSixtyFourAreIndependent(double p) {
        int n = 1 << 21;
        long[] words = mask(77, 3, n + 64, p);
        for (int d : new int[] {1, 2, 7, 8, 16, 64}) {
            long[] table = new long[4];
            for (int e = 0; e < n; e++) {
                table[(bit(words, e) ? 0 : 2) + (bit(words, e + d) ? 0 : 1)]++;
            }
            double chi = chiSquared(table[0], table[1], table[2], table[3]);
            assertTrue(chi < CHI2_1DOF_1E7, "p=" + p + " d=" + d + ": chi^2 = " + chi);
        }
    }

    @Test
    void neighbouringSeedsAndOffsetWindowsAreUncorrelated() {
        int n = 1 << 21;
        long[] a = mask(1000, 0, n, 0.5);
        long[][] others = {mask(1001, 0, n, 0.5), mask(999, 0, n, 0.5), mask(1000, n, n, 0.5), mask(1000, 1, n, 0.5)};
        String[] names = {"seed s+1", "seed s-1", "next window", "offset shifted by one"};
        for (int k = 0; k < others.length; k++) {
            long[] table = new long[4];
            for (int e = 0; e < n; e++) {
                table[(bit(a, e) ? 0 : 2) + (bit(others[k], e) ? 0 : 1)]++;
            }
            double chi = chiSquared(table[0], table[1], table[2], table[3]);
            assertTrue(chi < CHI2_1DOF_1E7, names[k] + ": chi^2 = " + chi);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.9})
    void invertedDropoutPreservesTheMeanWithTheTheoreticalVariance(double p) {
        // x ~ N(mu, sigma^2) iid; y = x * s * m with m ~ Bernoulli(q'), q' = T / 2^32 the exact keep probability.
        int n = TEN_MILLION;
        double mu = 1.0;
        double sigma = 2.0;
        float[] x = new float[n];
        SplittableRandom random = new SplittableRandom(31);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (mu + sigma * random.nextGaussian());
        }
        Dropout dropout = Dropout.inverted(p);
        float[] y = new float[n];
        dropout.forward(8, 0, x, 0, y, 0, n);
        double sum = 0;
        double sumSq = 0;
        for (float v : y) {
            sum += v;
            sumSq += (double) v * v;
        }
        double mean = sum / n;
        double variance = (sumSq - n * mean * mean) / (n - 1);

        double q = dropout.keepProbability();
        double s = dropout.trainScale();
        // Raw moments of y: E[y^k] = s^k q E[x^k], with the normal moments of x.
        double ex1 = mu;
        double ex2 = mu * mu + sigma * sigma;
        double ex3 = mu * mu * mu + 3 * mu * sigma * sigma;
        double ex4 = Math.pow(mu, 4) + 6 * mu * mu * sigma * sigma + 3 * Math.pow(sigma, 4);
        double m1 = s * q * ex1;
        double m2 = s * s * q * ex2;
        double m3 = Math.pow(s, 3) * q * ex3;
        double m4 = Math.pow(s, 4) * q * ex4;
        double var = m2 - m1 * m1;
        double central4 = m4 - 4 * m3 * m1 + 6 * m2 * m1 * m1 - 3 * Math.pow(m1, 4);
        double z = 5.33; // two-sided 1e-7 under the normal approximation, which 10^7 samples justify
        double meanTolerance = z * Math.sqrt(var / n);
        double varianceTolerance = z * Math.sqrt((central4 - var * var) / n);
        assertTrue(Math.abs(mean - m1) < meanTolerance,
                "p=" + p + ": mean " + mean + ", expected " + m1 + " +- " + meanTolerance);
        assertTrue(Math.abs(mu - m1) < meanTolerance / 100, "E[y] must equal E[x] up to float rounding of s");
        assertTrue(Math.abs(variance - var) < varianceTolerance,
                "p=" + p + ": variance " + variance + ", expected " + var + " +- " + varianceTolerance);
        double paperVariance = (sigma * sigma + mu * mu) / (1 - p) - mu * mu; // Var[x m / (1-p)], the textbook form
        assertTrue(Math.abs(var - paperVariance) < varianceTolerance / 10);
    }
}
