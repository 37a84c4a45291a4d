package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.GaussianDropout;
import dev.vecdrop.GaussianNoise;
import dev.vecdrop.Seeds;
import java.util.Arrays;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** VecdropGaussianDropout and VecdropGaussianNoise: the library's layers at the documented seed and offset. */
class VecdropGaussianTest {

    private static final long SEED = 31415926L;
    private static final double RATE = 0.3;
    private static final double STDDEV = 0.25;

    private static INDArray values(DataType type, long... shape) {
        return Nd4j.rand(type, 'c', shape).subi(0.5);
    }

    @Test
    void gaussianDropoutForwardAndBackpropAreTheLibrarysAtTheDocumentedSeedAndOffset() {
        VecdropGaussianDropout d = new VecdropGaussianDropout(RATE).withSeed(SEED);
        GaussianDropout library = GaussianDropout.of(RATE);

        INDArray x = values(DataType.FLOAT, 16, 100);
        float[] xs = x.data().asFloat();
        float[] expected = new float[xs.length];
        library.forward(Seeds.derive(SEED, 2), 3L << 32, xs, 0, expected, 0, xs.length);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, 16, 100);
        assertSame(y, d.applyDropout(x, y, 3, 2, null));
        assertArrayEquals(expected, y.data().asFloat());
        assertArrayEquals(xs, x.data().asFloat(), "an out-of-place call leaves its input alone");

        INDArray grad = values(DataType.FLOAT, 16, 100);
        float[] g = grad.data().asFloat();
        float[] expectedGrad = new float[g.length];
        library.backward(Seeds.derive(SEED, 2), 3L << 32, g, 0, expectedGrad, 0, g.length);
        assertSame(grad, d.backprop(grad, grad, 3, 2)); // in place, as DL4J calls it
        assertArrayEquals(expectedGrad, grad.data().asFloat());

        INDArray xd = values(DataType.DOUBLE, 8, 64);
        double[] xds = xd.data().asDouble();
        double[] expectedDouble = new double[xds.length];
        library.forward(Seeds.derive(SEED, 0), 5L << 32, xds, 0, expectedDouble, 0, xds.length);
        assertArrayEquals(expectedDouble, d.applyDropout(xd, xd, 5, 0, null).data().asDouble());
    }

    @Test
    void gaussianNoiseForwardIsTheLibrarysAndBackpropIsItsIdentityBackward() {
        VecdropGaussianNoise d = new VecdropGaussianNoise(STDDEV).withSeed(SEED);
        GaussianNoise library = GaussianNoise.of(STDDEV);

        INDArray x = values(DataType.FLOAT, 16, 100);
        float[] xs = x.data().asFloat();
        float[] expected = new float[xs.length];
        library.forward(Seeds.derive(SEED, 4), 9L << 32, xs, 0, expected, 0, xs.length);
        assertArrayEquals(expected, d.applyDropout(x, x.dup(), 9, 4, null).data().asFloat());

        INDArray xd = values(DataType.DOUBLE, 8, 64);
        double[] xds = xd.data().asDouble();
        double[] expectedDouble = new double[xds.length];
        library.forward(Seeds.derive(SEED, 1), 2L << 32, xds, 0, expectedDouble, 0, xds.length);
        assertArrayEquals(expectedDouble, d.applyDropout(xd, xd.dup(), 2, 1, null).data().asDouble());

        INDArray grad = values(DataType.FLOAT, 16, 100);
        float[] g = grad.data().asFloat();
        float[] expectedGrad = new float[g.length];
        library.backward(Seeds.derive(SEED, 4), 9L << 32, g, 0, expectedGrad, 0, g.length);
        INDArray out = Nd4j.create(DataType.FLOAT, 16, 100);
        assertSame(out, d.backprop(grad, out, 9, 4));
        assertArrayEquals(expectedGrad, out.data().asFloat());
        assertSame(grad, d.backprop(grad, grad, 9, 4));
        assertArrayEquals(expectedGrad, grad.data().asFloat());
    }

    /** The copy path: a strided input, an f-order output; and in place, which needs none. */
    @Test
    void stridedInputsFOrderOutputsAndInPlaceGiveWhatContiguousArraysGive() {
        VecdropGaussianDropout dropout = new VecdropGaussianDropout(RATE).withSeed(SEED);
        VecdropGaussianNoise noise = new VecdropGaussianNoise(STDDEV).withSeed(SEED);
        INDArray base = values(DataType.FLOAT, 12, 40);
        INDArray strided = base.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 30));
        for (org.deeplearning4j.nn.conf.dropout.IDropout d : new org.deeplearning4j.nn.conf.dropout.IDropout[] {
                dropout, noise}) {
            long copies = NdArrays.copies();
            INDArray expected = d.applyDropout(strided.dup('c'), Nd4j.create(DataType.FLOAT, 12, 27), 4, 3, null);
            assertEquals(copies, NdArrays.copies(), "contiguous arrays go through no copy");
            INDArray fOut = Nd4j.create(DataType.FLOAT, new long[] {12, 27}, 'f');
            assertArrayEquals(expected.data().asFloat(), d.applyDropout(strided, fOut, 4, 3, null).dup('c')
                    .data().asFloat(), d.toString());
            assertEquals(copies + 1, NdArrays.copies(), "one call through a detached copy, counted once");
            INDArray inPlace = strided.dup('c');
            assertArrayEquals(expected.data().asFloat(), d.applyDropout(inPlace, inPlace, 4, 3, null)
                    .data().asFloat(), d.toString());
            assertEquals(copies + 1, NdArrays.copies());
        }
    }

    /**
     * DL4J's GaussianDropout(rate) multiplies by noise of standard deviation sqrt(rate / (1 - rate)): rate is a drop
     * probability, and ours is the same parameter. Measured on 2^16 ones against DL4J's own layer.
     */
    @Test
    void theRateIsDl4jsDropProbabilityLikeParameterAndStddevIsDl4jsStddev() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 256, 256);
        double sigma = Math.sqrt(RATE / (1 - RATE));
        double ours = std(new VecdropGaussianDropout(RATE).applyDropout(ones, ones.dup(), 0, 0, null));
        double dl4j = std(new org.deeplearning4j.nn.conf.dropout.GaussianDropout(RATE)
                .applyDropout(ones, ones.dup(), 0, 0, LayerWorkspaceMgr.noWorkspaces()));
        assertEquals(sigma, ours, 0.02 * sigma);
        assertEquals(sigma, dl4j, 0.02 * sigma);

        INDArray zeros = Nd4j.zeros(DataType.FLOAT, 256, 256);
        assertEquals(STDDEV, std(new VecdropGaussianNoise(STDDEV).applyDropout(zeros, zeros.dup(), 0, 0, null)),
                0.02 * STDDEV);
        assertEquals(STDDEV, std(new org.deeplearning4j.nn.conf.dropout.GaussianNoise(STDDEV)
                .applyDropout(zeros, zeros.dup(), 0, 0, LayerWorkspaceMgr.noWorkspaces())), 0.02 * STDDEV);
    }

    private static double std(INDArray x) {
        return x.stdNumber().doubleValue();
    }

    @Test
    void otherIterationsEpochsAndSeedsDrawOtherNoise() {
        VecdropGaussianDropout d = new VecdropGaussianDropout(RATE);
        INDArray x = Nd4j.ones(DataType.FLOAT, 4, 64);
        float[] a = d.applyDropout(x, x.dup(), 0, 0, null).data().asFloat();
        assertArrayEquals(a, d.applyDropout(x, x.dup(), 0, 0, null).data().asFloat());
        assertFalse(Arrays.equals(a, d.applyDropout(x, x.dup(), 1, 0, null).data().asFloat()));
        assertFalse(Arrays.equals(a, d.applyDropout(x, x.dup(), 0, 1, null).data().asFloat()));
        assertFalse(Arrays.equals(a, d.withSeed(5).applyDropout(x, x.dup(), 0, 0, null).data().asFloat()));
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        for (double rate : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VecdropGaussianDropout(rate));
            assertTrue(e.getMessage().contains("rate") && e.getMessage().contains(String.valueOf(rate)),
                    e.getMessage());
        }
        for (double stddev : new double[] {-1.0, Double.NaN, 1e39, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VecdropGaussianNoise(stddev));
            assertTrue(e.getMessage().contains("stddev") && e.getMessage().contains(String.valueOf(stddev)),
                    e.getMessage());
        }
        INDArray x = values(DataType.FLOAT, 2, 8);
        INDArray transposed = Nd4j.create(DataType.FLOAT, 8, 2);
        for (org.deeplearning4j.nn.conf.dropout.IDropout d : new org.deeplearning4j.nn.conf.dropout.IDropout[] {
                new VecdropGaussianDropout(RATE), new VecdropGaussianNoise(STDDEV)}) {
            assertThrows(IllegalArgumentException.class, () -> d.applyDropout(x, x.dup(), -1, 0, null));
            assertThrows(IllegalArgumentException.class, () -> d.applyDropout(x, x.dup(), 0, -1, null));
            assertThrows(IllegalArgumentException.class, () -> d.backprop(x, x.dup(), -1, 0));
            assertThrows(IllegalArgumentException.class, () -> d.backprop(x, x.dup(), 0, -1));
            assertThrows(IllegalArgumentException.class, () -> d.applyDropout(x, transposed, 0, 0, null));
            assertThrows(IllegalArgumentException.class, () -> d.backprop(x, transposed, 0, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> d.applyDropout(x, Nd4j.create(DataType.INT32, 2, 8), 0, 0, null));
        }
    }

    @Test
    void clonesAreEqualButNotTheSameAndDefaultsAreDistinctSeeds() {
        VecdropGaussianDropout d = new VecdropGaussianDropout(RATE).withSeed(SEED);
        assertNotSame(d, d.clone());
        assertEquals(d, d.clone());
        assertEquals(d.hashCode(), d.clone().hashCode());
        assertFalse(d.equals(d.withSeed(SEED + 1)));
        assertFalse(d.equals(new VecdropGaussianDropout(RATE / 2).withSeed(SEED)));
        assertEquals(RATE, d.rate());

        VecdropGaussianNoise n = new VecdropGaussianNoise(STDDEV).withSeed(SEED);
        assertNotSame(n, n.clone());
        assertEquals(n, n.clone());
        assertEquals(n.hashCode(), n.clone().hashCode());
        assertFalse(n.equals(n.withSeed(SEED + 1)));
        assertFalse(n.equals(new VecdropGaussianNoise(STDDEV * 2).withSeed(SEED)));
        assertEquals(STDDEV, n.stddev());

        long[] defaults = {VecdropDropout.DEFAULT_SEED, VecdropAlphaDropout.DEFAULT_SEED,
                VecdropGaussianDropout.DEFAULT_SEED, VecdropGaussianNoise.DEFAULT_SEED};
        assertEquals(4, Arrays.stream(defaults).distinct().count());
        assertEquals(VecdropGaussianDropout.DEFAULT_SEED, new VecdropGaussianDropout(RATE).seed());
        assertEquals(VecdropGaussianNoise.DEFAULT_SEED, new VecdropGaussianNoise(STDDEV).seed());
    }
}
