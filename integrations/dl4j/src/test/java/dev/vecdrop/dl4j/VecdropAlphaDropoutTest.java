package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Dropout;
import dev.vecdrop.Seeds;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class VecdropAlphaDropoutTest {

    private static final long SEED = 7654321L;
    private static final double RETAIN = 0.8;

    /** Values in [1, 2): a kept value is x * a + b > c, so kept and dropped outputs never coincide. */
    private static INDArray values(DataType type, char order, long... shape) {
        return Nd4j.rand(type, order, shape).addi(1.0);
    }

    private static boolean[] contractKeeps(long seed, int iteration, int epoch, int n) {
        long[] words = new long[Dropout.maskWords(n)];
        Dropout.inverted(1.0 - RETAIN).mask(Seeds.derive(seed, epoch), (long) iteration << 32, words, 0, n);
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            keep[i] = (words[i >>> 6] >>> (i & 63) & 1) != 0;
        }
        return keep;
    }

    @Test
    void forwardIsTheLibrarysAlphaDropoutAtTheDocumentedSeedAndOffsetForFloatAndDouble() {
        VecdropAlphaDropout d = new VecdropAlphaDropout(RETAIN).withSeed(SEED);
        Dropout library = Dropout.alpha(1.0 - RETAIN);

        INDArray x = values(DataType.FLOAT, 'c', 16, 100);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, 16, 100);
        assertSame(y, d.applyDropout(x, y, 3, 2, null));
        float[] xs = x.data().asFloat();
        float[] expected = new float[xs.length];
        library.forward(Seeds.derive(SEED, 2), 3L << 32, xs, 0, expected, 0, xs.length);
        float[] ys = y.data().asFloat();
        assertArrayEquals(expected, ys);

        // the keep decisions are VecdropDropout's: every dropped position holds one value, c
        boolean[] keep = contractKeeps(SEED, 3, 2, xs.length);
        float dropped = Float.NaN;
        int kept = 0;
        for (int i = 0; i < xs.length; i++) {
            if (keep[i]) {
                kept++;
            } else if (Float.isNaN(dropped)) {
                dropped = ys[i];
            } else {
                assertEquals(dropped, ys[i], "dropped element " + i);
            }
        }
        assertTrue(kept > 1180 && kept < 1380, "about 80% of 1600 kept: " + kept);

        INDArray xd = values(DataType.DOUBLE, 'c', 8, 64);
        double[] xds = xd.data().asDouble();
        double[] expectedDouble = new double[xds.length];
        library.forward(Seeds.derive(SEED, 0), 5L << 32, xds, 0, expectedDouble, 0, xds.length);
        assertArrayEquals(expectedDouble, d.applyDropout(xd, xd.dup(), 5, 0, null).data().asDouble());
    }

    @Test
    void backpropInPlaceIsTheLibrarysBackwardAndGivesDroppedPositionsZeroGradient() {
        VecdropAlphaDropout d = new VecdropAlphaDropout(RETAIN).withSeed(SEED);
        Dropout library = Dropout.alpha(1.0 - RETAIN);
        INDArray grad = values(DataType.FLOAT, 'c', 32, 50);
        float[] g = grad.data().asFloat();
        float[] expected = new float[g.length];
        library.backward(Seeds.derive(SEED, 1), 7L << 32, g, 0, expected, 0, g.length);

        assertSame(grad, d.backprop(grad, grad, 7, 1)); // in place, as DL4J calls it
        float[] dx = grad.data().asFloat();
        assertArrayEquals(expected, dx);
        boolean[] keep = contractKeeps(SEED, 7, 1, g.length);
        for (int i = 0; i < g.length; i++) {
            assertEquals(keep[i] ? g[i] * library.trainScale() : 0f, dx[i], "element " + i);
        }
    }

    @Test
    void anFOrderArrayGivesWhatItsContiguousCopyGives() {
        VecdropAlphaDropout d = new VecdropAlphaDropout(RETAIN).withSeed(SEED);
        INDArray f = values(DataType.FLOAT, 'f', 12, 40);
        INDArray expected = d.applyDropout(f.dup('c'), Nd4j.create(DataType.FLOAT, 12, 40), 4, 3, null);
        INDArray y = d.applyDropout(f, Nd4j.create(DataType.FLOAT, new long[] {12, 40}, 'f'), 4, 3, null);
        assertArrayEquals(expected.data().asFloat(), y.dup('c').data().asFloat());
    }

    /** DL4J's AlphaDropout(p) takes the RETAIN probability: its a and b at 0.8 are vecdrop's alpha(0.2)'s. */
    @Test
    void theConstructorTakesTheRetainProbabilityAsDl4jsAlphaDropoutDoes() {
        VecdropAlphaDropout ours = new VecdropAlphaDropout(RETAIN);
        assertEquals(RETAIN, ours.retainProbability());
        assertEquals(1.0 - RETAIN, ours.dropProbability());
        assertEquals(ours, VecdropAlphaDropout.withDropProbability(1.0 - RETAIN));
        assertEquals(VecdropAlphaDropout.DEFAULT_SEED, ours.seed());
        assertTrue(VecdropAlphaDropout.DEFAULT_SEED != VecdropDropout.DEFAULT_SEED);

        // DL4J's a and b at retain 0.8, read off our layer in float64: backprop of ones is a where kept, the
        // forward of zeros b where kept (and a * alpha' + b < 0 where dropped)
        AlphaDropout dl4j = new AlphaDropout(RETAIN);
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 1, 256);
        assertEquals(dl4j.getA(), ours.backprop(ones, ones.dup(), 0, 0).maxNumber().doubleValue(), 1e-12);
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, 1, 256);
        assertEquals(dl4j.getB(), ours.applyDropout(zeros, zeros.dup(), 0, 0, null).maxNumber().doubleValue(), 1e-12);
        INDArray x = Nd4j.create(new float[] {1f, 2f}, 1, 2);
        INDArray y = new VecdropAlphaDropout(1.0).applyDropout(x, x.dup(), 0, 0, null);
        assertArrayEquals(x.data().asFloat(), y.data().asFloat(), "retain 1 is no dropout");
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        for (double retain : new double[] {0.0, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VecdropAlphaDropout(retain));
            assertTrue(e.getMessage().contains("retain probability") && e.getMessage().contains(String.valueOf(retain)),
                    e.getMessage());
        }
        for (double p : new double[] {1.0, -0.1, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VecdropAlphaDropout.withDropProbability(p));
            assertTrue(e.getMessage().contains("drop probability") && e.getMessage().contains(String.valueOf(p)),
                    e.getMessage());
        }
        VecdropAlphaDropout d = new VecdropAlphaDropout(0.5);
        INDArray x = values(DataType.FLOAT, 'c', 2, 8);
        assertThrows(IllegalArgumentException.class, () -> d.applyDropout(x, x.dup(), -1, 0, null));
        assertThrows(IllegalArgumentException.class, () -> d.backprop(x, x.dup(), 0, -1));
        assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, Nd4j.create(DataType.FLOAT, 8, 2), 0, 0, null));
    }

    @Test
    void cloneIsEqualButNotTheSameAndClearKeepsBackpropWorking() {
        VecdropAlphaDropout d = new VecdropAlphaDropout(RETAIN).withSeed(SEED);
        VecdropAlphaDropout c = d.clone();
        assertNotSame(d, c);
        assertEquals(d, c);
        assertEquals(d.hashCode(), c.hashCode());
        assertTrue(!d.equals(d.withSeed(SEED + 1)));
        assertTrue(!d.equals(new VecdropDropout(RETAIN).withSeed(SEED)));

        INDArray g = values(DataType.FLOAT, 'c', 4, 30);
        INDArray expected = d.backprop(g, g.dup(), 6, 0);
        d.clear();
        assertArrayEquals(expected.data().asFloat(), c.backprop(g, g.dup(), 6, 0).data().asFloat());
    }
}
