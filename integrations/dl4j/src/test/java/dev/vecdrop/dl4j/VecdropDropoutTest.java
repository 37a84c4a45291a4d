package dev.vecdrop.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Dropout;
import dev.vecdrop.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class VecdropDropoutTest {

    private static final long SEED = 1234567L;
    private static final double RETAIN = 0.7;

    /** Values in [1, 2): never zero, so a zero in a result can only come from a drop. */
    private static INDArray values(DataType type, char order, long... shape) {
        INDArray r = Nd4j.rand(type, order, shape).addi(1.0);
        return r;
    }

    /** The keep bits of the contract for a call at (iteration, epoch), by the formula the Javadoc documents. */
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
    void forwardAppliesTheContractMaskAtTheDocumentedSeedAndOffset() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        INDArray x = values(DataType.FLOAT, 'c', 16, 100);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, 16, 100);
        assertSame(y, d.applyDropout(x, y, 3, 2, null));

        float[] xs = x.data().asFloat();
        float[] ys = y.data().asFloat();
        boolean[] keep = contractKeeps(SEED, 3, 2, xs.length);
        float scale = Dropout.inverted(1.0 - RETAIN).trainScale();
        int kept = 0;
        for (int i = 0; i < xs.length; i++) {
            assertEquals(keep[i] ? xs[i] * scale : 0f, ys[i], "element " + i);
            kept += keep[i] ? 1 : 0;
        }
        assertTrue(kept > 1000 && kept < 1240, "about 70% of 1600 kept: " + kept);
    }

    @Test
    void backpropInPlaceZeroesExactlyTheForwardsDroppedPositionsAndScalesTheRest() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        INDArray x = values(DataType.FLOAT, 'c', 32, 50);
        INDArray y = d.applyDropout(x, x.dup(), 7, 1, null);
        INDArray grad = values(DataType.FLOAT, 'c', 32, 50);
        float[] g = grad.data().asFloat();

        assertSame(grad, d.backprop(grad, grad, 7, 1)); // in place, as DL4J calls it
        float[] ys = y.data().asFloat();
        float[] dx = grad.data().asFloat();
        boolean[] keep = contractKeeps(SEED, 7, 1, g.length);
        float scale = Dropout.inverted(1.0 - RETAIN).trainScale();
        for (int i = 0; i < g.length; i++) {
            assertEquals(ys[i] == 0f, dx[i] == 0f, "forward and backward drop the same element " + i);
            assertEquals(keep[i] ? g[i] * scale : 0f, dx[i], "element " + i);
        }
    }

    @Test
    void otherIterationsAndEpochsDrawOtherMasks() {
        VecdropDropout d = new VecdropDropout(0.5);
        INDArray x = values(DataType.FLOAT, 'c', 4, 256);
        INDArray a = d.applyDropout(x, x.dup(), 0, 0, null);
        INDArray b = d.applyDropout(x, x.dup(), 1, 0, null);
        INDArray c = d.applyDropout(x, x.dup(), 0, 1, null);
        INDArray again = d.applyDropout(x, x.dup(), 0, 0, null);
        assertArrayEquals(a.data().asFloat(), again.data().asFloat());
        assertTrue(!java.util.Arrays.equals(a.data().asFloat(), b.data().asFloat()));
        assertTrue(!java.util.Arrays.equals(a.data().asFloat(), c.data().asFloat()));
        assertTrue(!java.util.Arrays.equals(a.data().asFloat(),
                d.withSeed(99).applyDropout(x, x.dup(), 0, 0, null).data().asFloat()));
    }

    @Test
    void doubleArraysUseTheSameKeepDecisionsWithTheDoubleScale() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        INDArray x = values(DataType.DOUBLE, 'c', 8, 64);
        INDArray y = d.applyDropout(x, x.dup(), 5, 0, null);
        double[] xs = x.data().asDouble();
        double[] ys = y.data().asDouble();
        boolean[] keep = contractKeeps(SEED, 5, 0, xs.length);
        double scale = Dropout.inverted(1.0 - RETAIN).trainScaleDouble();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(keep[i] ? xs[i] * scale : 0.0, ys[i], "element " + i);
        }
    }

    @Test
    void inPlaceGivesWhatAnOutOfPlaceCallGives() {
        VecdropDropout d = new VecdropDropout(RETAIN);
        INDArray x = values(DataType.FLOAT, 'c', 10, 77);
        INDArray outOfPlace = d.applyDropout(x, Nd4j.createUninitialized(DataType.FLOAT, 10, 77), 2, 0, null);
        INDArray inPlace = x.dup();
        assertSame(inPlace, d.applyDropout(inPlace, inPlace, 2, 0, null));
        assertArrayEquals(outOfPlace.data().asFloat(), inPlace.data().asFloat());
    }

    /** Every layout of the same logical array: its contiguous c-order copy gives the reference result. */
    @Test
    void viewsFOrderAndStridedArraysGiveWhatTheirContiguousCopyGives() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        INDArray base = values(DataType.FLOAT, 'c', 12, 40);
        INDArray[] inputs = {
                base.dup('f'),                                                          // f order
                base.get(NDArrayIndex.interval(2, 9), NDArrayIndex.all()),             // a range of rows: contiguous
                base.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 30)),            // a range of columns: strided
                base.get(NDArrayIndex.interval(0, 2, 12), NDArrayIndex.all()),         // every other row
                base.transpose(),                                                       // f-order view
        };
        float[] baseBefore = base.dup().data().asFloat();
        for (INDArray in : inputs) {
            String what = in.shapeInfoToString();
            INDArray expected = d.applyDropout(in.dup('c'), Nd4j.create(DataType.FLOAT, in.shape()), 4, 3, null);
            INDArray outOfPlace = d.applyDropout(in, Nd4j.create(DataType.FLOAT, in.shape(), 'f'), 4, 3, null);
            assertArrayEquals(expected.data().asFloat(), outOfPlace.dup('c').data().asFloat(), what);
            assertArrayEquals(baseBefore, base.data().asFloat(), "an out-of-place call leaves its input alone");

            INDArray inPlace = in.dup(in.ordering()); // the same layout, in a buffer of its own
            d.applyDropout(inPlace, inPlace, 4, 3, null);
            assertArrayEquals(expected.data().asFloat(), inPlace.dup('c').data().asFloat(), what);
        }
    }

    @Test
    void aContiguousRowRangeViewIsWrittenInPlaceWithoutTouchingTheRestOfItsBase() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        INDArray base = values(DataType.FLOAT, 'c', 12, 40);
        INDArray copy = base.dup();
        INDArray rows = base.get(NDArrayIndex.interval(2, 9), NDArrayIndex.all());
        INDArray expected = d.applyDropout(rows.dup('c'), Nd4j.create(DataType.FLOAT, 7, 40), 4, 3, null);
        d.applyDropout(rows, rows, 4, 3, null);
        assertArrayEquals(expected.data().asFloat(), rows.dup('c').data().asFloat());
        for (int r = 0; r < 12; r++) {
            if (r < 2 || r >= 9) {
                assertArrayEquals(copy.getRow(r).dup().data().asFloat(), base.getRow(r).dup().data().asFloat(),
                        "row " + r + " is outside the view");
            }
        }
    }

    @Test
    void contiguousFloatAndDoubleArraysRunWithoutACopyAndOthersWithOne() {
        VecdropDropout d = new VecdropDropout(RETAIN);
        INDArray base = values(DataType.FLOAT, 'c', 12, 40);
        INDArray epsilonAsDl4jMakesIt = Nd4j.create(DataType.FLOAT, new long[] {40, 12}, 'f').transpose();
        INDArray[] contiguous = {
                base, values(DataType.DOUBLE, 'c', 12, 40), base.get(NDArrayIndex.interval(2, 9), NDArrayIndex.all()),
                epsilonAsDl4jMakesIt, values(DataType.FLOAT, 'f', 40, 1),
        };
        for (INDArray x : contiguous) {
            long before = NdArrays.copies();
            d.applyDropout(x, x, 1, 0, null);
            d.backprop(x, x, 1, 0);
            assertEquals(before, NdArrays.copies(), x.shapeInfoToString());
        }
        long before = NdArrays.copies();
        d.applyDropout(base.dup('f'), base.dup('f'), 1, 0, null);
        d.applyDropout(base.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 30)), Nd4j.create(DataType.FLOAT, 12, 27),
                1, 0, null);
        assertEquals(before + 2, NdArrays.copies());
    }

    @Test
    void halfPrecisionGoesThroughTheFloatCopy() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        INDArray x = values(DataType.FLOAT, 'c', 4, 64).castTo(DataType.FLOAT16);
        INDArray y = d.applyDropout(x, Nd4j.create(DataType.FLOAT16, 4, 64), 1, 0, null);
        INDArray expected = d.applyDropout(x.castTo(DataType.FLOAT), Nd4j.create(DataType.FLOAT, 4, 64), 1, 0, null);
        assertArrayEquals(expected.castTo(DataType.FLOAT16).data().asFloat(), y.data().asFloat());
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        for (double retain : new double[] {0.0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VecdropDropout(retain));
            assertTrue(e.getMessage().contains("retain probability") && e.getMessage().contains(String.valueOf(retain)),
                    e.getMessage());
        }
        for (double p : new double[] {1.0, -0.1, 2.0, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VecdropDropout.withDropProbability(p));
            assertTrue(e.getMessage().contains("drop probability") && e.getMessage().contains(String.valueOf(p)),
                    e.getMessage());
        }
        VecdropDropout d = new VecdropDropout(0.5);
        INDArray x = values(DataType.FLOAT, 'c', 2, 8);
        assertThrows(IllegalArgumentException.class, () -> d.applyDropout(x, x.dup(), -1, 0, null));
        assertThrows(IllegalArgumentException.class, () -> d.applyDropout(x, x.dup(), 0, -1, null));
        assertThrows(IllegalArgumentException.class, () -> d.backprop(x, x.dup(), -1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, Nd4j.create(DataType.FLOAT, 8, 2), 0, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> d.applyDropout(x, Nd4j.create(DataType.INT32, 2, 8), 0, 0, null));
        assertThrows(NullPointerException.class, () -> d.applyDropout(x, null, 0, 0, null));
    }

    @Test
    void probabilityConventionsRetainForTheConstructorDropForTheFactory() {
        VecdropDropout retain = new VecdropDropout(0.75);
        assertEquals(0.75, retain.retainProbability());
        assertEquals(0.25, retain.dropProbability());
        assertEquals(retain, VecdropDropout.withDropProbability(0.25));
        assertEquals(VecdropDropout.DEFAULT_SEED, retain.seed());
        // retain 1 is no dropout
        INDArray x = values(DataType.FLOAT, 'c', 3, 50);
        assertArrayEquals(x.data().asFloat(),
                new VecdropDropout(1.0).applyDropout(x, x.dup(), 9, 9, null).data().asFloat());
    }

    @Test
    void cloneIsEqualButNotTheSameAndClearKeepsBackpropWorking() {
        VecdropDropout d = new VecdropDropout(RETAIN).withSeed(SEED);
        VecdropDropout c = d.clone();
        assertNotSame(d, c);
        assertEquals(d, c);
        assertEquals(d.hashCode(), c.hashCode());
        assertTrue(!d.equals(d.withSeed(SEED + 1)));
        assertTrue(!d.equals(new VecdropDropout(RETAIN / 2).withSeed(SEED)));

        INDArray x = values(DataType.FLOAT, 'c', 4, 30);
        INDArray y = d.applyDropout(x, x.dup(), 6, 0, null);
        d.clear(); // DL4J's own Dropout would lose its mask here; nothing is stored, so nothing is lost
        INDArray g = x.dup();
        c.backprop(g, g, 6, 0);
        assertArrayEquals(y.data().asFloat(), g.data().asFloat(), "a clone's backprop regenerates the same mask");
    }
}
