package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused backward (float32, the active kernels) against central finite differences of the forward's definition
 * computed in float64: {@code dL/dx} and {@code dL/dbias} of {@code L = sum(w * y)}, so {@code dy = w}. Elements
 * within {@code 2h} of the activation's kink are skipped (the derivative is a convention there, see
 * {@link FusedDropout}).
 */
class FusedDropoutGradientTest {

    private static final double H = 1e-4;

    @Test
    void backwardMatchesFloat64FiniteDifferencesOfTheForward() {
        SplittableRandom random = new SplittableRandom(3);
        int rows = 7;
        int features = 37; // past a vector (16 lanes at 512 bits) with a tail, and odd: rows start at odd elements
        int n = rows * features;
        for (Activation act : new Activation[] {Activation.identity(), Activation.relu(), Activation.leakyRelu(0.1f)}) {
            Dropout dropout = Dropout.inverted(0.4);
            FusedDropout fused = FusedDropout.of(dropout, act);
            long seed = random.nextLong();
            long e = 3;
            float[] x = new float[n];
            float[] bias = new float[features];
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) random.nextGaussian();
                w[i] = (float) random.nextGaussian();
            }
            for (int j = 0; j < features; j++) {
                bias[j] = (float) random.nextGaussian() * 0.5f;
            }
            float[] y = new float[n];
            fused.forward(seed, e, x, 0, bias, 0, y, 0, n, features);
            float[] dx = new float[n];
            float[] dBias = new float[features];
            fused.backward(seed, e, y, 0, w, 0, dx, 0, n, features, dBias, 0);

            double s = dropout.trainScale();
            int checked = 0;
            double[] columnFd = new double[features];
            boolean[] columnKink = new boolean[features];
            for (int i = 0; i < n; i++) {
                int j = i % features;
                double pre = (double) x[i] + bias[j];
                if (Math.abs(pre) < 2 * H) {
                    columnKink[j] = true;
                    continue;
                }
                boolean keep = MaskStream.keep(seed, e + i, dropout.threshold());
                // d/dx_i and d/dbias_j of w_i * y_i are the same: y_i depends on x_i + bias_j only
                double fd = w[i] * (y(keep, s, act, pre + H) - y(keep, s, act, pre - H)) / (2 * H);
                columnFd[j] += fd;
                assertEquals(fd, dx[i], 1e-5 * Math.max(1, Math.abs(fd)), act + ": dx[" + i + "]");
                checked++;
            }
            for (int j = 0; j < features; j++) {
                if (!columnKink[j]) {
                    assertEquals(columnFd[j], dBias[j], 1e-5 * rows * Math.max(1, Math.abs(columnFd[j])),
                            act + ": dBias[" + j + "]");
                }
            }
            assertTrue(checked > n * 9 / 10, act + ": too few elements checked: " + checked);
        }
    }

    /** The forward's definition in float64: {@code keep ? act(pre) * s : 0}. */
    private static double y(boolean keep, double s, Activation act, double pre) {
        if (!keep) {
            return 0;
        }
        double a = switch (act.toString()) {
            case "identity" -> pre;
            case "relu" -> Math.max(pre, 0);
            default -> pre < 0 ? pre * act.alpha() : pre;
        };
        return a * s;
    }
}
