package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What alpha dropout is for, and its gradient: for {@code x ~ N(0, 1)} the output keeps mean 0 and variance 1, and
 * the backward is the derivative of the forward (central finite differences, float64).
 */
class AlphaDropoutPropertiesTest {

    private static final int N = 1 << 20;
    /** Bounds in standard errors: a false alarm once in about 1.7 million runs per bound. */
    private static final double Z = 5;

    /**
     * The sample mean and variance of {@code y} against 0 and 1, each within {@value #Z} of its exact standard error,
     * derived from the mixture {@code y = keep ? a x + b : c} with the exact keep probability {@code q = T / 2^32}
     * and the coefficients as rounded: {@code Var(mean) = Var(y) / n} and
     * {@code Var(s^2) ~ (mu4 - Var(y)^2) / n}, with {@code E[(a X + d)^4] = 3 a^4 + 6 a^2 d^2 + d^4} for a kept
     * element ({@code d = b - mu}). The exact moments themselves must be 0 and 1 to float32 precision.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5})
    void keepsZeroMeanAndUnitVarianceForStandardNormalInputs(double p) {
        SplittableRandom random = new SplittableRandom(Double.doubleToLongBits(p));
        float[] x = new float[N];
        double[] xd = new double[N];
        for (int i = 0; i < N; i++) {
            xd[i] = random.nextGaussian();
            x[i] = (float) xd[i];
        }
        Dropout d = Dropout.alpha(p);
        float[] y = new float[N];
        double[] yd = new double[N];
        d.forward(0xA1FA, 77, x, 0, y, 0, N);
        d.forward(0xA1FA, 77, xd, 0, yd, 0, N);

        double q = d.keepProbability();
        double[][] coefficientsByType = {
            {d.trainScale(), d.floatSegments().alphaShift(), d.floatSegments().alphaDropped()},
            {d.trainScaleDouble(), d.doubleSegments().alphaShift(), d.doubleSegments().alphaDropped()}};
        for (int t = 0; t < 2; t++) {
            double a = coefficientsByType[t][0], b = coefficientsByType[t][1], c = coefficientsByType[t][2];
            double mu = q * b + (1 - q) * c;
            double variance = q * (a * a + (b - mu) * (b - mu)) + (1 - q) * (c - mu) * (c - mu);
            double dk = b - mu, dc = c - mu;
            double mu4 = q * (3 * a * a * a * a + 6 * a * a * dk * dk + dk * dk * dk * dk) + (1 - q) * dc * dc * dc * dc;
            String type = t == 0 ? "float32" : "float64";
            assertEquals(0.0, mu, 1e-6, type + ": the exact mean");
            assertEquals(1.0, variance, 1e-6, type + ": the exact variance");

            double sum = 0;
            for (int i = 0; i < N; i++) {
                sum += t == 0 ? y[i] : yd[i];
            }
            double mean = sum / N;
            double squares = 0;
            for (int i = 0; i < N; i++) {
                double v = (t == 0 ? y[i] : yd[i]) - mean;
                squares += v * v;
            }
            double sampleVariance = squares / (N - 1);
            double meanError = Math.sqrt(variance / N);
            double varianceError = Math.sqrt((mu4 - variance * variance) / N);
            assertTrue(Math.abs(mean) < Z * meanError, type + " p=" + p + ": mean " + mean + ", bound "
                    + Z * meanError);
            assertTrue(Math.abs(sampleVariance - 1) < Z * varianceError, type + " p=" + p + ": variance "
                    + sampleVariance + ", bound 1 +- " + Z * varianceError);
        }
    }

    /** The table of docs/mask-stream.md ("Alpha dropout"): the coefficients as each element type holds them. */
    @org.junit.jupiter.api.Test
    void publishedCoefficientsNeverChange() {
        Object[][] table = {
            {0.1, "0x1.d7b29aa659301p-1", "0x1.4bb76f9a63a78p-3", "-0x1.752e5d8db01c7p+0",
                new int[] {0x3f6bd94d, 0x3e25dbb8, 0xbfba972f}},
            {0.5, "0x1.c5d6dcc335815p-1", "0x1.8ef281c1a21eep-1", "-0x1.8ef281c1a21eep-1",
                new int[] {0x3f62eb6e, 0x3f477941, 0xbf477941}}};
        for (Object[] row : table) {
            Dropout d = Dropout.alpha((double) row[0]);
            DoubleSegmentDropout doubles = d.doubleSegments();
            FloatSegmentDropout floats = d.floatSegments();
            assertEquals(Double.parseDouble((String) row[1]), doubles.trainScale(), "a at p=" + row[0]);
            assertEquals(Double.parseDouble((String) row[2]), doubles.alphaShift(), "b at p=" + row[0]);
            assertEquals(Double.parseDouble((String) row[3]), doubles.alphaDropped(), "c at p=" + row[0]);
            int[] floatBits = (int[]) row[4];
            assertEquals(floatBits[0], Float.floatToRawIntBits(floats.trainScale()), "float32 a at p=" + row[0]);
            assertEquals(floatBits[1], Float.floatToRawIntBits(floats.alphaShift()), "float32 b at p=" + row[0]);
            assertEquals(floatBits[2], Float.floatToRawIntBits(floats.alphaDropped()), "float32 c at p=" + row[0]);
            assertEquals(floats.trainScale(), d.trainScale());
            assertEquals(doubles.trainScale(), d.trainScaleDouble());
        }
        Dropout zero = Dropout.alpha(0.0);
        assertEquals(1.0, zero.trainScaleDouble());
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(zero.doubleSegments().alphaShift()),
                "b = +0.0 at p = 0");
        assertEquals(-1.7580993408473766, zero.doubleSegments().alphaDropped());
    }

    /**
     * {@code L(x) = sum w_i y_i(x)}: the backward of {@code dy = w}, regenerated and from the stored mask, against
     * {@code (L(x + h e_i) - L(x - h e_i)) / 2h}. The forward is affine in each element, so the only error is
     * rounding; element-wise and per channel (where an element's decision is its channel's).
     */
    @ParameterizedTest
    @ValueSource(strings = {"elementwise", "channelsFirst", "channelsLast"})
    void backwardIsTheForwardsDerivative(String form) {
        int n = 256;
        Dropout d = switch (form) {
            case "channelsFirst" -> Dropout.alpha(0.4).perChannel(ChannelLayout.channelsFirst(8, 4));
            case "channelsLast" -> Dropout.alpha(0.4).perChannel(ChannelLayout.channelsLast(4, 8));
            default -> Dropout.alpha(0.4);
        };
        SplittableRandom random = new SplittableRandom(3);
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
            w[i] = random.nextGaussian();
        }
        long seed = 5, offset = 1001;
        double[] y = new double[n];
        long[] mask = new long[Dropout.maskWords(n)];
        d.forward(seed, offset, x, 0, y, 0, n, mask, 0);
        double[] regenerated = new double[n];
        double[] fromBits = new double[n];
        d.backward(seed, offset, w, 0, regenerated, 0, n);
        d.backward(mask, 0, w, 0, fromBits, 0, n);
        double h = 1e-3;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            double original = x[i];
            x[i] = original + h;
            double up = loss(d, seed, offset, x, w, y);
            x[i] = original - h;
            double down = loss(d, seed, offset, x, w, y);
            x[i] = original;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, regenerated[i], 1e-7, form + " element " + i + " (regenerated)");
            assertEquals(numeric, fromBits[i], 1e-7, form + " element " + i + " (stored mask)");
            kept += regenerated[i] != 0 ? 1 : 0;
        }
        assertTrue(kept > n / 4 && kept < n, form + ": both kept and dropped elements checked, kept " + kept);
    }

    private static double loss(Dropout d, long seed, long offset, double[] x, double[] w, double[] y) {
        d.forward(seed, offset, x, 0, y, 0, x.length);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += w[i] * y[i];
        }
        return sum;
    }
}
