package dev.vecdrop.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/** The statistical tools must themselves be right, and able to fail. */
class StatisticsHelpersTest {

    @Test
    void binomialBoundsMatchTheExactTails() {
        // Binomial(100, 0.5): P(X <= 39) = 0.0176 <= 0.025 < P(X <= 40) = 0.0284, so [40, 60] at alpha 0.05.
        assertArrayEquals(new long[] {40, 60}, Binomial.acceptance(100, 0.5, 0.05));
        // Binomial(10, 0.1): P(X >= 4) = 0.0128, P(X >= 3) = 0.0702: hi = 3 at alpha 0.05 (P(X < 0) = 0).
        assertArrayEquals(new long[] {0, 3}, Binomial.acceptance(10, 0.1, 0.05));
        assertArrayEquals(new long[] {7, 7}, Binomial.acceptance(7, 1.0, 1e-6));
    }

    @Test
    void fipsTestsPassARandomSequenceAndFailBrokenOnes() {
        SplittableRandom random = new SplittableRandom(1);
        boolean[] good = new boolean[Fips140.BITS];
        for (int i = 0; i < good.length; i++) {
            good[i] = random.nextBoolean();
        }
        assertNull(Fips140.all(good));

        boolean[] biased = good.clone();
        for (int i = 0; i < biased.length; i += 20) {
            biased[i] = true; // about 5% more ones: monobit must notice
        }
        assertNotNull(Fips140.monobit(biased));

        boolean[] alternating = new boolean[Fips140.BITS];
        for (int i = 0; i < alternating.length; i++) {
            alternating[i] = (i & 1) == 0;
        }
        assertNull(Fips140.monobit(alternating));
        assertNotNull(Fips140.runs(alternating));
        assertNotNull(Fips140.poker(alternating));

        boolean[] longRun = good.clone();
        for (int i = 5000; i < 5040; i++) {
            longRun[i] = false;
        }
        assertNotNull(Fips140.longRun(longRun));
    }

    @Test
    void tabulatedNormalCdfAgreesWithCommonsMathToElevenDigitsInBothTails() {
        NormalDistribution normal = new NormalDistribution(0, 1);
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            double x = random.nextDouble(-8, 8);
            double lower = normal.cumulativeProbability(x);
            double upper = normal.cumulativeProbability(-x); // 1 - Phi(x), without cancellation
            assertTrue(Math.abs(NormalFit.cdf(x) / lower - 1) < 1e-11, "Phi(" + x + ")");
            assertTrue(Math.abs(Math.exp(NormalFit.logCdf(-x)) / upper - 1) < 1e-11, "1 - Phi(" + x + ")");
        }
    }

    @Test
    void andersonDarlingLimitMatchesPublishedCriticalValues() {
        // Case 0 (fully specified), Stephens (1974) / D'Agostino and Stephens (1986), Table 4.2.
        assertTrue(Math.abs(NormalFit.andersonDarlingPValue(1.933) - 0.10) < 2e-4);
        assertTrue(Math.abs(NormalFit.andersonDarlingPValue(2.492) - 0.05) < 2e-4);
        assertTrue(Math.abs(NormalFit.andersonDarlingPValue(3.070) - 0.025) < 5e-4);
        assertTrue(Math.abs(NormalFit.andersonDarlingPValue(3.857) - 0.01) < 5e-4);
    }

    @Test
    void normalFitStatisticsAcceptNormalsAndRejectAShiftedSample() {
        SplittableRandom random = new SplittableRandom(8);
        float[] good = new float[200_000];
        float[] shifted = new float[good.length];
        for (int i = 0; i < good.length; i++) {
            good[i] = (float) random.nextGaussian();
            shifted[i] = good[i] + 0.02f; // 0.02 sigma: 9 standard errors of the mean
        }
        double[] sortedGood = NormalFit.sortedCopy(good);
        double[] sortedShifted = NormalFit.sortedCopy(shifted);
        assertTrue(NormalFit.ksPValue(NormalFit.ksStatistic(sortedGood), good.length) > 1e-4);
        assertTrue(NormalFit.andersonDarlingPValue(NormalFit.andersonDarling(sortedGood)) > 1e-4);
        assertTrue(NormalFit.ksPValue(NormalFit.ksStatistic(sortedShifted), good.length) < 1e-4);
        assertTrue(NormalFit.andersonDarlingPValue(NormalFit.andersonDarling(sortedShifted)) < 1e-4);
    }
}
