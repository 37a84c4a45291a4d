package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.stats.Binomial;
import dev.vecdrop.stats.NormalFit;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.junit.jupiter.api.Test;

/**
 * The normal stream is N(0, 1) to the resolution of 10^7 values: Kolmogorov-Smirnov and Anderson-Darling at
 * alpha = 1e-4, the first four moments within 5 of their exact standard errors, chi-squared over bins out to 5
 * sigma, and, from the tail alone, the probabilities beyond 5 to 6.25 sigma. The seed is fixed, so every run is
 * the same; NormalVectorMatchesScalarTest makes every vector width give these same bits.
 */
class NormalQualityTest {

    private static final int N = 10_000_000;
    private static final double ALPHA = 1e-4;

    /**
     * The sample, from the scalar reference: in a fresh JVM the vector fill runs interpreted and C1-compiled (boxing
     * every vector) until C2 has compiled it, which made 10^7 values take 12 s here against 0.4 s for the reference.
     * The values are the same bits (NormalVectorMatchesScalarTest, every width).
     */
    private static final class Sample {
        static final float[] VALUES = new float[N];
        static final double[] SORTED;

        static {
            NormalStream.fillReference(2026, 1_000_001, VALUES, 0, N);
            SORTED = NormalFit.sortedCopy(VALUES);
        }
    }

    @Test
    void kolmogorovSmirnovAgainstTheStandardNormalPassesAtAlpha1e4() {
        double d = NormalFit.ksStatistic(Sample.SORTED);
        double p = NormalFit.ksPValue(d, N);
        System.out.printf("MEASURED KS: D = %.3g, p = %.3g%n", d, p);
        assertTrue(p > ALPHA, "KS D = " + d + ", p = " + p);
    }

    @Test
    void andersonDarlingAgainstTheStandardNormalPassesAtAlpha1e4() {
        double a2 = NormalFit.andersonDarling(Sample.SORTED);
        double p = NormalFit.andersonDarlingPValue(a2);
        System.out.printf("MEASURED AD: A^2 = %.3g, p = %.3g%n", a2, p);
        assertTrue(p > ALPHA, "A^2 = " + a2 + ", p = " + p);
    }

    /**
     * Exact moments of the sampling distributions for n iid N(0, 1) (e.g. D'Agostino, Belanger and D'Agostino,
     * The American Statistician 44, 1990): mean, variance 1/n; unbiased s^2, variance 2/(n - 1); skewness
     * sqrt(b1) = m3 / m2^1.5, mean 0, variance 6(n - 2) / ((n + 1)(n + 3)); kurtosis b2 = m4 / m2^2, mean
     * 3(n - 1)/(n + 1), variance 24n(n - 2)(n - 3) / ((n + 1)^2 (n + 3)(n + 5)) (m_k the central sample moments).
     * Each must lie within 5 standard errors: at n = 10^7 all four are normal to many digits, so an exact N(0, 1)
     * source fails one with probability under 4 * 5.7e-7.
     */
    @Test
    void meanVarianceSkewnessAndKurtosisAreWithinFiveStandardErrors() {
        float[] z = Sample.VALUES;
        double n = N;
        double sum = 0;
        for (float v : z) {
            sum += v;
        }
        double mean = sum / n;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (float v : z) {
            double d = v - mean;
            double d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
        double variance = m2 * n / (n - 1);
        double skewness = m3 / Math.pow(m2, 1.5);
        double kurtosis = m4 / (m2 * m2);
        double kurtosisMean = 3 * (n - 1) / (n + 1);
        double[][] checks = { // value, expectation, standard error
            {mean, 0, Math.sqrt(1 / n)},
            {variance, 1, Math.sqrt(2 / (n - 1))},
            {skewness, 0, Math.sqrt(6 * (n - 2) / ((n + 1) * (n + 3)))},
            {kurtosis, kurtosisMean, Math.sqrt(24 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1) * (n + 3) * (n + 5)))},
        };
        String[] names = {"mean", "variance", "skewness", "kurtosis"};
        for (int k = 0; k < checks.length; k++) {
            double standardErrors = (checks[k][0] - checks[k][1]) / checks[k][2];
            System.out.printf("MEASURED %s: %.6f (expected %.6f, %.2f standard errors)%n",
                    names[k], checks[k][0], checks[k][1], standardErrors);
            assertTrue(Math.abs(standardErrors) < 5, names[k] + " " + checks[k][0] + " is " + standardErrors
                    + " standard errors from " + checks[k][1]);
        }
    }

    /** Pearson's statistic of {@code observed} against {@code expected}; every expected count must be >= 5. */
    private static double chiSquared(long[] observed, double[] expected) {
        double chi = 0;
        for (int b = 0; b < observed.length; b++) {
            assertTrue(expected[b] >= 5, "bin " + b + " expects " + expected[b] + " < 5");
            chi += (observed[b] - expected[b]) * (observed[b] - expected[b]) / expected[b];
        }
        return chi;
    }

    private static double chiSquaredCritical(int bins) {
        return new ChiSquaredDistribution(bins - 1).inverseCumulativeProbability(1 - ALPHA);
    }

    @Test
    void chiSquaredOverQuarterSigmaBinsOutToFiveSigmaPasses() {
        // 40 bins of width 1/4 on [-5, 5) and one for |z| >= 5 (expected 5.7; [4.75, 5) expects 7.3).
        int inner = 40;
        long[] observed = new long[inner + 1];
        for (float v : Sample.VALUES) {
            // In double: v + 5 rounded to float moved 7 of the 10^7 values just below a bin edge into the next bin.
            observed[Math.abs(v) >= 5 ? inner : (int) Math.floor((v + 5.0) * 4)]++;
        }
        double[] expected = new double[inner + 1];
        for (int b = 0; b < inner; b++) {
            double lo = -5 + b / 4.0;
            double hi = lo + 0.25;
            // through the lower tail on either side, where Phi is not near 1
            expected[b] = N * (hi <= 0 ? NormalFit.cdf(hi) - NormalFit.cdf(lo) : NormalFit.cdf(-lo) - NormalFit.cdf(-hi));
        }
        expected[inner] = N * 2 * NormalFit.cdf(-5);
        double chi = chiSquared(observed, expected);
        double critical = chiSquaredCritical(inner + 1);
        System.out.printf("MEASURED chi-squared, 41 bins to 5 sigma: %.2f (critical %.2f); |z| >= 5: %d of %.1f%n",
                chi, critical, observed[inner], expected[inner]);
        assertTrue(chi < critical, "chi^2 = " + chi + " >= " + critical);
    }

    /**
     * The tail beyond 5 sigma, where 10^7 values hold only about 6: |z| > x >= sqrt(32 ln 2) = 4.71 needs the
     * radius above 4.71, so u1 < 2^-16, which holds exactly for the words whose low half is below 2^16. Masking
     * the low half to 16 bits therefore draws from the stream's own tail: it is the same as keeping, of about
     * 2.6e11 words, those that fall there. In that draw P(|z| > x) = 2^16 P(|Z| > x) for a normal Z. Counts
     * over bins out to 6.25 sigma pass chi-squared at alpha = 1e-4, and the count beyond 5 sigma its exact
     * binomial bounds.
     */
    @Test
    void tailProbabilitiesFromFiveToSixAndAQuarterSigmaAreNormal() {
        int draws = 4_000_000;
        double[] edges = {5, 5.25, 5.5, 5.75, 6, 6.25};
        long[] observed = new long[edges.length + 1]; // bin 0: |z| < 5; bin k: [edges[k-1], edges[k]); last: >= 6.25
        for (int j = 0; j < draws; j++) {
            long w = MaskStream.word(31, j);
            float z = Math.abs(NormalStream.fromHalves((int) w & 0xffff, (int) (w >>> 32)));
            int bin = 0;
            while (bin < edges.length && z >= edges[bin]) {
                bin++;
            }
            observed[bin]++;
        }
        double[] expected = new double[observed.length];
        double scale = draws * 0x1p16 * 2;
        for (int k = 1; k < observed.length; k++) {
            double upper = k < edges.length ? NormalFit.cdf(-edges[k]) : 0;
            expected[k] = scale * (NormalFit.cdf(-edges[k - 1]) - upper);
        }
        double beyondFive = scale * NormalFit.cdf(-5);
        expected[0] = draws - beyondFive;
        double chi = chiSquared(observed, expected);
        double critical = chiSquaredCritical(observed.length);
        long countBeyondFive = draws - observed[0];
        long[] bounds = Binomial.acceptance(draws, beyondFive / draws, ALPHA);
        System.out.printf("MEASURED tail: chi-squared %.2f (critical %.2f); |z| >= 5: %d in [%d, %d], "
                + "so P(|z| >= 5) = %.4g (normal %.4g); |z| >= 6.25: %d of %.1f%n", chi, critical, countBeyondFive,
                bounds[0], bounds[1], countBeyondFive / scale * 2, 2 * NormalFit.cdf(-5),
                observed[edges.length], expected[edges.length]);
        assertTrue(countBeyondFive >= bounds[0] && countBeyondFive <= bounds[1],
                "|z| >= 5: " + countBeyondFive + " outside [" + bounds[0] + ", " + bounds[1] + "]");
        assertTrue(chi < critical, "tail chi^2 = " + chi + " >= " + critical);
    }

    @Test
    void noValueExceedsTheStatedLargestMagnitude() {
        float largest = Math.max(-(float) Sample.SORTED[0], (float) Sample.SORTED[N - 1]);
        assertTrue(largest <= NormalStream.MAX_ABS, "|z| = " + largest + " > MAX_ABS");
        assertTrue(largest > 5, "10^7 normals reach past 5 sigma with probability 0.997: " + largest);
    }
}
