package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The fused float64 backwards (the active kernels) against central finite differences of the fused float64
 * forwards themselves, bias + activation + dropout and residual + dropout: {@code dL/dx} and {@code dL/dbias} of
 * {@code L = sum(w * y)}, so {@code dy = w}, each derivative from two more forward calls with one input moved by
 * {@code +-h}. Elements within {@code 2h} of the activation's kink are
 * skipped (the derivative is a convention there, see {@link FusedDropout}), and so are the bias columns holding one.
 */
class FusedDropoutGradientTest {

    private static final double H = 1e-6;

    @Test
    void backwardMatchesFiniteDifferencesOfTheFloat64Forward() {
        SplittableRandom random = new SplittableRandom(3);
        int rows = 7;
        int features = 37; // past a vector (8 doubles at 512 bits) with a tail, and odd: rows start at odd elements
        int n = rows * features;
        for (Activation act : new Activation[] {Activation.identity(), Activation.relu(), Activation.leakyRelu(0.1f)}) {
            FusedDropout fused = FusedDropout.of(Dropout.inverted(0.4), act);
            long seed = random.nextLong();
            long e = 3;
            double[] x = new double[n];
            double[] bias = new double[features];
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = random.nextGaussian();
                w[i] = random.nextGaussian();
            }
            for (int j = 0; j < features; j++) {
                bias[j] = random.nextGaussian() * 0.5;
            }
            double[] y = new double[n];
            fused.forward(seed, e, x, 0, bias, 0, y, 0, n, features);
            double[] dx = new double[n];
            double[] dBias = new double[features];
            fused.backward(seed, e, y, 0, w, 0, dx, 0, n, features, dBias, 0);

            int checked = 0;
            boolean[] columnKink = new boolean[features];
            for (int i = 0; i < n; i++) {
                if (Math.abs(x[i] + bias[i % features]) < 2 * H) {
                    columnKink[i % features] = true;
                    continue;
                }
                double fd = centralDifference(x, i, () -> loss(fused, seed, e, x, bias, w, features));
                assertEquals(fd, dx[i], 1e-6 * Math.max(1, Math.abs(fd)), act + ": dx[" + i + "]");
                checked++;
            }
            for (int j = 0; j < features; j++) {
                if (!columnKink[j]) {
                    double fd = centralDifference(bias, j, () -> loss(fused, seed, e, x, bias, w, features));
                    assertEquals(fd, dBias[j], 1e-6 * rows * Math.max(1, Math.abs(fd)), act + ": dBias[" + j + "]");
                }
            }
            assertTrue(checked > n * 9 / 10, act + ": too few elements checked: " + checked);
        }
    }

    /** The residual form: {@code d/dx} of {@code sum(w * (residual + dropout(x)))} is {@code residualBackward(w)}. */
    @Test
    void residualBackwardMatchesFiniteDifferencesOfTheFloat64Forward() {
        SplittableRandom random = new SplittableRandom(5);
        int n = 301;
        FusedDropout fused = FusedDropout.of(Dropout.classic(0.3), Activation.identity());
        long seed = random.nextLong();
        double[] x = random.doubles(n, -2, 2).toArray();
        double[] residual = random.doubles(n, -2, 2).toArray();
        double[] w = random.doubles(n, -1, 1).toArray();
        double[] dx = new double[n];
        fused.residualBackward(seed, 5, w, 0, dx, 0, n);
        for (int i = 0; i < n; i++) {
            double[] y = new double[n];
            double fd = centralDifference(x, i, () -> {
                fused.residualForward(seed, 5, x, 0, residual, 0, y, 0, n);
                return weightedSum(w, y);
            });
            assertEquals(fd, dx[i], 1e-6 * Math.max(1, Math.abs(fd)), "dx[" + i + "]");
        }
    }

    /**
     * {@code (L(v + h e_k) - L(v - h e_k)) / 2h}: {@code loss} reads {@code v}, whose element {@code k} is moved
     * in place and put back.
     */
    private static double centralDifference(double[] v, int k, DoubleSupplier loss) {
        double at = v[k];
        v[k] = at + H;
        double plus = loss.getAsDouble();
        v[k] = at - H;
        double minus = loss.getAsDouble();
        v[k] = at;
        return (plus - minus) / (2 * H);
    }

    /** {@code L = sum(w * y)} of the bias + activation + dropout forward. */
    private static double loss(FusedDropout fused, long seed, long e, double[] x, double[] bias, double[] w,
                               int features) {
        double[] y = new double[x.length];
        fused.forward(seed, e, x, 0, bias, 0, y, 0, x.length, features);
        return weightedSum(w, y);
    }

    private static double weightedSum(double[] w, double[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += w[i] * y[i];
        }
        return sum;
    }
}
