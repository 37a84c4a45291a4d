package dev.vecdrop.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Scaling;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole network's analytic gradient, through dropout masks regenerated from a fixed stream offset, against
 * central finite differences of the loss. float32 arithmetic, so the step is large and the tolerance relative;
 * a coordinate whose step moves a ReLU across its kink is skipped (and counted).
 */
class MlpGradientCheckTest {

    @ParameterizedTest
    @EnumSource(Scaling.class)
    void gradientsMatchFiniteDifferencesWithDropoutActive(Scaling scaling) {
        int[] sizes = {12, 9, 7, 3};
        int batch = 5;
        check(new Mlp(sizes, 0.2, 0.5, scaling, batch, 11), sizes, batch);
    }

    /** Drop-connect on the hidden weights too: the forward uses W', the gradient in W is masked back. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {0.3, 0.5})
    void gradientsMatchFiniteDifferencesWithDropConnectActive(double p) {
        int[] sizes = {12, 9, 7, 3};
        int batch = 5;
        check(new Mlp(sizes, 0.2, 0.5, Scaling.INVERTED, p, batch, 11), sizes, batch);
    }

    private static void check(Mlp net, int[] sizes, int batch) {
        SplittableRandom random = new SplittableRandom(5);
        float[] x = new float[sizes[0] * batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        byte[] labels = {0, 2, 1, 2, 0};
        long position = 1_000;

        net.seekStreams(position);
        net.forward(x, 0, batch, true);
        net.loss(labels, 0, batch, null);
        net.backward(batch);

        int checked = 0;
        int skipped = 0;
        double worst = 0;
        for (int l = 1; l < sizes.length; l++) {
            for (boolean weights : new boolean[] {true, false}) {
                float[] params = weights ? net.weights(l) : net.biases(l);
                float[] analytic = (weights ? net.weightGradients(l) : net.biasGradients(l)).clone();
                for (int i = 0; i < params.length; i++) {
                    float original = params[i];
                    float h = 1e-2f;
                    set(net, l, weights, i, original + h);
                    double up = loss(net, x, labels, batch, position);
                    long upPattern = reluPattern(net, x, batch, position);
                    set(net, l, weights, i, original - h);
                    double down = loss(net, x, labels, batch, position);
                    long downPattern = reluPattern(net, x, batch, position);
                    set(net, l, weights, i, original);
                    if (upPattern != downPattern) {
                        skipped++;
                        continue;
                    }
                    double numeric = (up - down) / (2 * h);
                    double error = Math.abs(numeric - analytic[i]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]));
                    worst = Math.max(worst, error);
                    assertTrue(error < 2e-2, "layer " + l + " parameter " + i + ": numeric " + numeric + ", analytic "
                            + analytic[i]);
                    checked++;
                }
            }
        }
        assertTrue(checked > 180 && skipped < checked / 10, // of 211 parameters
                "checked " + checked + ", skipped " + skipped);
        assertTrue(worst < 2e-2, "worst relative error " + worst);
    }

    /** Weights go through the setter so the network refreshes its transposed copy; biases are used in place. */
    private static void set(Mlp net, int l, boolean weight, int i, float value) {
        if (weight) {
            net.setWeight(l, i, value);
        } else {
            net.biases(l)[i] = value;
        }
    }

    private static double loss(Mlp net, float[] x, byte[] labels, int batch, long position) {
        net.seekStreams(position); // the same masks for every evaluation
        net.forward(x, 0, batch, true);
        return net.loss(labels, 0, batch, null);
    }

    /** A hash of which hidden units are active, to notice a step that crosses a ReLU kink. */
    private static long reluPattern(Mlp net, float[] x, int batch, long position) {
        net.seekStreams(position);
        net.forward(x, 0, batch, true);
        return net.reluPatternHash(batch);
    }
}
