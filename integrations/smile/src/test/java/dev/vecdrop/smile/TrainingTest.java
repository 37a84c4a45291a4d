package dev.vecdrop.smile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecdrop.Dropout;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import smile.classification.MLP;
import smile.math.MathEx;
import smile.model.mlp.Layer;
import smile.model.mlp.LayerBuilder;
import smile.model.mlp.OutputFunction;
import smile.tensor.DenseMatrix;
import smile.util.function.TimeFunction;

/**
 * vecdrop's layers inside Smile's own training: {@link MLP} calls their forward and backward where it calls its own
 * layers' dropout, the network learns, and {@code MathEx.setSeed} makes a run repeat bit for bit. Needs OpenBLAS
 * (Smile's matrix code): the build unpacks one on Linux x86-64; elsewhere a system one, or the test is skipped.
 */
class TrainingTest {

    private static final int FEATURES = 8;
    private static final int CLASSES = 3;

    @BeforeEach // not BeforeAll: surefire counts a skipped test, and shows nothing for a skipped class
    void needsOpenBlas() {
        boolean found;
        try {
            SymbolLookup.libraryLookup("libopenblas.so", Arena.global());
            found = true;
        } catch (IllegalArgumentException e) {
            found = false;
        }
        assumeTrue(found, "Smile's multilayer perceptron needs libopenblas.so (Debian: libopenblas-dev), and this "
                + "machine has none on the library path");
    }

    /** MLP whose layers a test can read ({@code net} is protected in Smile). */
    static final class InspectableMlp extends MLP {
        InspectableMlp(LayerBuilder... builders) {
            super(builders);
        }

        Layer layer(int i) {
            return net[i];
        }
    }

    @Test
    void smilesBackwardUsesTheForwardsMaskSoDroppedUnitsKeepTheirWeights() {
        // Linear units: without the backward's mask a dropped unit would still get a gradient (a rectifier's zero
        // output would hide that), so unchanged rows prove that Smile called backpopagateDropout on this layer.
        MathEx.setSeed(11);
        int units = 64;
        InspectableMlp model = new InspectableMlp(VecdropLayer.input(FEATURES),
                VecdropLayer.linear(units, 0.5).seed(3), Layer.mle(CLASSES, OutputFunction.SOFTMAX));
        model.setLearningRate(TimeFunction.constant(0.1));
        VecdropHiddenLayer hidden = (VecdropHiddenLayer) model.layer(1);
        float[][] before = rows(hidden.weight());
        model.update(sample(new SplittableRandom(1), 0), 0);
        assertEquals(1, hidden.forwardCalls());
        float[][] after = rows(hidden.weight());
        long[] mask = new long[Dropout.maskWords(units)];
        Dropout.inverted(0.5).mask(3, 0, mask, 0, units);
        int kept = 0;
        for (int unit = 0; unit < units; unit++) {
            boolean keep = (mask[unit >>> 6] >>> (unit & 63) & 1) != 0;
            if (keep) {
                kept++;
                assertTrue(!java.util.Arrays.equals(before[unit], after[unit]), "kept unit " + unit + " not trained");
            } else {
                assertArrayEquals(before[unit], after[unit], "dropped unit " + unit + " was trained");
            }
        }
        assertTrue(kept > 0 && kept < units, "kept " + kept + " of " + units);
    }

    @Test
    void aNetworkWithVecdropLayersLearnsAndASeededRunRepeatsBitForBit() {
        double[][] test = new double[300][];
        int[] labels = new int[test.length];
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < test.length; i++) {
            labels[i] = i % CLASSES;
            test[i] = sample(random, labels[i]);
        }
        InspectableMlp first = train();
        InspectableMlp second = train();
        int right = 0;
        for (int i = 0; i < test.length; i++) {
            double[] p1 = new double[CLASSES];
            double[] p2 = new double[CLASSES];
            int predicted = first.predict(test[i], p1);
            second.predict(test[i], p2);
            assertArrayEquals(p1, p2, "sample " + i); // exact: assertArrayEquals on doubles compares bits
            right += predicted == labels[i] ? 1 : 0;
        }
        assertTrue(right >= 0.9 * test.length, right + " of " + test.length + " right");
        assertEquals(10L * 600, ((VecdropInputLayer) first.layer(0)).forwardCalls());
        assertEquals(10L * 600, ((VecdropHiddenLayer) first.layer(1)).forwardCalls());
    }

    private static InspectableMlp train() {
        MathEx.setSeed(19650218);
        InspectableMlp model = new InspectableMlp(VecdropLayer.input(FEATURES, 0.1),
                VecdropLayer.rectifier(32, 0.3), Layer.mle(CLASSES, OutputFunction.SOFTMAX));
        model.setLearningRate(TimeFunction.constant(0.05));
        SplittableRandom random = new SplittableRandom(3);
        double[][] x = new double[600][];
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = random.nextInt(CLASSES);
            x[i] = sample(random, y[i]);
        }
        for (int epoch = 0; epoch < 10; epoch++) {
            for (int i = 0; i < x.length; i++) {
                model.update(x[i], y[i]);
            }
        }
        return model;
    }

    /** A point of class {@code label}: unit noise around a centre of +-2 per feature, the pattern per class. */
    private static double[] sample(SplittableRandom random, int label) {
        double[] x = new double[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            double centre = ((j + label) % CLASSES == 0) ? 2 : -2;
            x[j] = centre + random.nextGaussian();
        }
        return x;
    }

    private static float[][] rows(DenseMatrix w) {
        float[][] r = new float[w.nrow()][w.ncol()];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r[i].length; j++) {
                r[i][j] = (float) w.get(i, j);
            }
        }
        return r;
    }
}
