package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link GaussianDropout} and {@link GaussianNoise}: coefficients, statistics of the noise they apply, the
 * gradient of gaussian dropout against finite differences, the identities, and bad input rejected before any
 * write. Bit-exactness against the definition on every path is {@link GaussianMatchesDefinitionTest}'s.
 */
class GaussianLayersTest {

    /** Standard errors allowed: a 5-sigma deviation of a correct stream has probability below 1e-6. */
    private static final double Z = 5;
    private static final int N = 1 << 18;

    @Test
    void sigmaIsTheSquareRootOfPOverOneMinusPInDoubleRoundedToFloat() {
        for (double p : new double[] {0, 0.1, 0.2, 0.5, 0.9, 0.999}) {
            GaussianDropout d = GaussianDropout.of(p);
            double sigma = Math.sqrt(p / (1 - p));
            assertEquals(sigma, d.sigmaDouble(), 0.0, "p " + p);
            assertEquals((float) sigma, d.sigma(), 0.0f, "p " + p);
        }
        assertEquals(1.0, GaussianDropout.of(0.5).sigmaDouble(), 0.0);
        assertEquals(0.7f, GaussianNoise.of(0.7).stddevFloat(), 0.0f);
    }

    @Test
    void badCoefficientsAreRejected() {
        for (double p : new double[] {Double.NaN, -0.1, -Double.MIN_VALUE, 1, 1.5, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> GaussianDropout.of(p), "p " + p);
        }
        for (double s : new double[] {Double.NaN, -1, -Double.MIN_VALUE, 1e39, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> GaussianNoise.of(s), "stddev " + s);
        }
    }

    /**
     * At p = 0.5 (sigma = 1), {@code y / x - 1} over 2^18 inputs in [1, 2): its mean is 0 and its variance
     * sigma^2, each within 5 standard errors: {@code sigma / sqrt(N)} for the mean, {@code sigma^2 sqrt(2 / (N - 1))}
     * for the unbiased variance of normal values. Float32 and float64.
     */
    @Test
    void gaussianDropoutFactorHasMeanOneAndVarianceSigmaSquared() {
        GaussianDropout dropout = GaussianDropout.of(0.5);
        double sigma = Math.sqrt(0.5 / (1 - 0.5)); // from the definition, not from the layer: 1
        float[] x = new float[N];
        double[] xd = new double[N];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < N; i++) {
            x[i] = (float) random.nextDouble(1, 2);
            xd[i] = x[i];
        }
        float[] y = new float[N];
        double[] yd = new double[N];
        dropout.forward(Seeds.derive(7, 1), 12345, x, 0, y, 0, N);
        dropout.forward(Seeds.derive(7, 2), 12345, xd, 0, yd, 0, N);
        double[] r = new double[N];
        double[] rd = new double[N];
        for (int i = 0; i < N; i++) {
            r[i] = (double) y[i] / x[i] - 1;
            rd[i] = yd[i] / xd[i] - 1;
        }
        assertMeanAndVariance("gaussian dropout float32", r, 0, sigma);
        assertMeanAndVariance("gaussian dropout float64", rd, 0, sigma);
    }

    @Test
    void gaussianNoiseHasMeanZeroAndVarianceStddevSquared() {
        GaussianNoise noise = GaussianNoise.of(0.3);
        float[] x = new float[N];
        double[] xd = new double[N];
        Arrays.fill(x, 2f);
        Arrays.fill(xd, 2.0);
        noise.forward(Seeds.derive(8, 1), 1, x, 0, x, 0, N);
        noise.forward(Seeds.derive(8, 2), 1, xd, 0, xd, 0, N);
        double[] r = new double[N];
        double[] rd = new double[N];
        for (int i = 0; i < N; i++) {
            r[i] = x[i] - 2.0;
            rd[i] = xd[i] - 2.0;
        }
        assertMeanAndVariance("gaussian noise float32", r, 0, 0.3);
        assertMeanAndVariance("gaussian noise float64", rd, 0, 0.3);
    }

    static void assertMeanAndVariance(String what, double[] v, double mean, double sd) {
        int n = v.length;
        double sum = 0;
        for (double a : v) {
            sum += a;
        }
        double m = sum / n;
        double squares = 0;
        for (double a : v) {
            squares += (a - m) * (a - m);
        }
        double variance = squares / (n - 1);
        double meanError = sd / Math.sqrt(n);
        double varianceError = sd * sd * Math.sqrt(2.0 / (n - 1));
        assertTrue(Math.abs(m - mean) <= Z * meanError,
                what + ": mean " + m + ", expected " + mean + " +- " + Z * meanError);
        assertTrue(Math.abs(variance - sd * sd) <= Z * varianceError,
                what + ": variance " + variance + ", expected " + sd * sd + " +- " + Z * varianceError);
    }

    /**
     * The loss {@code L = sum w_i y_i} of the float64 forward: backward with {@code dy = w} against the central
     * difference {@code (L(x + h e_i) - L(x - h e_i)) / 2h} of every element, over a block edge and an odd offset.
     */
    @Test
    void gaussianDropoutBackwardMatchesFiniteDifferencesInFloat64() {
        assertBackwardMatchesFiniteDifferences("element-wise", GaussianDropout.of(0.4), Seeds.derive(9, 3), 77, 300,
                new SplittableRandom(4));
    }

    /**
     * The float64 backward of {@code dropout} with {@code dy = w} against the central differences of
     * {@code L = sum w_i y_i}, for every element of {@code n} drawn from {@code random}.
     */
    static void assertBackwardMatchesFiniteDifferences(String what, GaussianDropout dropout, long seed, long e, int n,
                                                       SplittableRandom random) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextDouble(-2, 2);
            w[i] = random.nextDouble(-1, 1);
        }
        double[] dx = new double[n];
        dropout.backward(seed, e, w, 0, dx, 0, n);
        double h = 1e-4;
        for (int i = 0; i < n; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (loss(dropout, seed, e, plus, w) - loss(dropout, seed, e, minus, w)) / (2 * h);
            assertEquals(fd, dx[i], 1e-8 * (1 + Math.abs(fd)), what + ": element " + i);
        }
    }

    private static double loss(GaussianDropout dropout, long seed, long e, double[] x, double[] w) {
        double[] y = new double[x.length];
        dropout.forward(seed, e, x, 0, y, 0, x.length);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += w[i] * y[i];
        }
        return sum;
    }

    @Test
    void evalOfBothAndNoiseBackwardAreTheIdentityBitForBit() {
        float[] x = {1.5f, -0f, Float.NaN, Float.intBitsToFloat(0x7f80_0001), Float.MIN_VALUE, -3e38f};
        double[] xd = {1.5, -0.0, Double.NaN, Double.longBitsToDouble(0x7ff0_0000_0000_0001L), Double.MIN_VALUE};
        GaussianDropout dropout = GaussianDropout.of(0.5);
        GaussianNoise noise = GaussianNoise.of(2);
        List<float[]> outs = new ArrayList<>();
        List<double[]> outsD = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            outs.add(new float[x.length]);
            outsD.add(new double[xd.length]);
        }
        dropout.eval(x, 0, outs.get(0), 0, x.length);
        noise.eval(x, 0, outs.get(1), 0, x.length);
        noise.backward(1, 0, x, 0, outs.get(2), 0, x.length);
        dropout.eval(xd, 0, outsD.get(0), 0, xd.length);
        noise.eval(xd, 0, outsD.get(1), 0, xd.length);
        noise.backward(1, 0, xd, 0, outsD.get(2), 0, xd.length);
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(outs.get(k)[i]), k + ": " + i);
            }
            for (int i = 0; i < xd.length; i++) {
                assertEquals(Double.doubleToRawLongBits(xd[i]), Double.doubleToRawLongBits(outsD.get(k)[i]),
                        k + ": " + i);
            }
        }
        float[] inPlace = x.clone();
        noise.backward(1, 0, inPlace, 0, inPlace, 0, x.length);
        dropout.eval(inPlace, 0, inPlace, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(inPlace[i]), "in place " + i);
        }
    }

    /** Every bad call throws its documented exception and leaves every array exactly as it was. */
    @Test
    void badInputThrowsAndWritesNothing() {
        GaussianDropout dropout = GaussianDropout.of(0.5);
        GaussianNoise noise = GaussianNoise.of(1);
        float[] x = new float[64];
        float[] y = new float[64];
        double[] xd = new double[64];
        double[] yd = new double[64];
        for (int i = 0; i < 64; i++) {
            x[i] = i + 1;
            y[i] = -(i + 1);
            xd[i] = i + 1;
            yd[i] = -(i + 1);
        }
        float[] x0 = x.clone();
        float[] y0 = y.clone();
        double[] xd0 = xd.clone();
        double[] yd0 = yd.clone();
        List<Class<? extends Throwable>> types = new ArrayList<>();
        List<Executable> calls = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Call f = k == 0 ? dropout::forward : noise::forward;
            Call b = k == 0 ? dropout::backward : noise::backward;
            CallD fd = k == 0 ? dropout::forward : noise::forward;
            CallD bd = k == 0 ? dropout::backward : noise::backward;
            for (Call c : List.of(f, b)) {
                add(types, calls, NullPointerException.class, () -> c.run(1, 0, null, 0, y, 0, 8));
                add(types, calls, NullPointerException.class, () -> c.run(1, 0, x, 0, null, 0, 8));
                add(types, calls, IndexOutOfBoundsException.class, () -> c.run(1, 0, x, 0, y, 60, 8));
                add(types, calls, IndexOutOfBoundsException.class, () -> c.run(1, 0, x, -1, y, 0, 8));
                add(types, calls, IndexOutOfBoundsException.class, () -> c.run(1, 0, x, 57, y, 0, 8));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, 0, x, 0, y, 0, -1));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, 0, x, 0, x, 4, 8));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, -1, x, 0, y, 0, 8));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, Long.MAX_VALUE - 7, x, 0, y, 0, 8));
            }
            for (CallD c : List.of(fd, bd)) {
                add(types, calls, NullPointerException.class, () -> c.run(1, 0, null, 0, yd, 0, 8));
                add(types, calls, NullPointerException.class, () -> c.run(1, 0, xd, 0, null, 0, 8));
                add(types, calls, IndexOutOfBoundsException.class, () -> c.run(1, 0, xd, 0, yd, 60, 8));
                add(types, calls, IndexOutOfBoundsException.class, () -> c.run(1, 0, xd, 57, yd, 0, 8));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, 0, xd, 0, yd, 0, -1));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, 0, xd, 0, xd, 4, 8));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, -1, xd, 0, yd, 0, 8));
                add(types, calls, IllegalArgumentException.class, () -> c.run(1, Long.MAX_VALUE - 7, xd, 0, yd, 0, 8));
            }
        }
        add(types, calls, IndexOutOfBoundsException.class, () -> dropout.eval(x, 0, y, 60, 8));
        add(types, calls, IllegalArgumentException.class, () -> noise.eval(x, 0, x, 4, 8));
        add(types, calls, NullPointerException.class, () -> noise.eval(xd, 0, null, 0, 8));
        add(types, calls, IndexOutOfBoundsException.class, () -> dropout.eval(xd, 57, yd, 0, 8));
        for (int i = 0; i < calls.size(); i++) {
            assertThrows(types.get(i), calls.get(i), "call " + i);
            assertArrayEquals(x0, x, "call " + i + " wrote x");
            assertArrayEquals(y0, y, "call " + i + " wrote y");
            assertArrayEquals(xd0, xd, "call " + i + " wrote xd");
            assertArrayEquals(yd0, yd, "call " + i + " wrote yd");
        }
    }

    private static void add(List<Class<? extends Throwable>> types, List<Executable> calls,
                            Class<? extends Throwable> type, Executable call) {
        types.add(type);
        calls.add(call);
    }

    @FunctionalInterface
    private interface Call {
        void run(long seed, long e, float[] x, int xOff, float[] y, int yOff, int n);
    }

    @FunctionalInterface
    private interface CallD {
        void run(long seed, long e, double[] x, int xOff, double[] y, int yOff, int n);
    }
}
