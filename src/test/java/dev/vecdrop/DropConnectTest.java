package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link DropConnect}: the masked weights and gradient are dropout's at the documented stream offset
 * {@code step * 2^24}, bit for bit; steps own disjoint stream blocks; the masked gradient is the gradient of a dense
 * layer's loss through {@code W * m / (1 - p)} (float64 finite differences); bad input is rejected before any write.
 */
class DropConnectTest {

    /** The documented block size, written out rather than read from the class under test. */
    private static final long BLOCK = 16_777_216L;
    private static final long[] STEPS = {0, 1, 2, 12345, (1L << 38) - 1};
    private static final double P = 0.3;

    private static float[] randomFloats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(-2, 2);
        }
        return a;
    }

    private static boolean kept(long[] mask, int e) {
        return (mask[e >>> 6] >>> (e & 63) & 1) != 0;
    }

    @Test
    void maskedWeightsAreDropoutForwardAtStepTimesTwoToTheTwentyFourBitForBit() {
        DropConnect dc = DropConnect.of(P);
        Dropout reference = Dropout.inverted(P);
        float scale = (float) (1 / (1 - P));
        for (int n : new int[] {1, 63, 64, 100, 1000, 4099}) {
            float[] w = randomFloats(n, n);
            float[] before = w.clone();
            double[] wd = new double[n];
            for (int i = 0; i < n; i++) {
                wd[i] = w[i];
            }
            for (long step : STEPS) {
                long seed = Seeds.derive(99, step);
                float[] masked = new float[n];
                assertSame(masked, dc.weights(seed, step, w, masked));
                float[] expected = new float[n];
                reference.forward(seed, step * BLOCK, w, 0, expected, 0, n);
                assertArrayEquals(expected, masked, "n " + n + " step " + step);
                double[] maskedD = dc.weights(seed, step, wd, new double[n]);
                double[] expectedD = new double[n];
                reference.forward(seed, step * BLOCK, wd, 0, expectedD, 0, n);
                assertArrayEquals(expectedD, maskedD, "float64, n " + n + " step " + step);
                long[] bits = new long[Dropout.maskWords(n)];
                reference.mask(seed, step * BLOCK, bits, 0, n);
                for (int e = 0; e < n; e++) {
                    if (kept(bits, e)) {
                        assertEquals(Float.floatToRawIntBits(w[e] * scale), Float.floatToRawIntBits(masked[e]),
                                "kept " + e);
                        assertEquals(w[e] * (1 / (1 - P)), maskedD[e], 0.0, "kept float64 " + e);
                    } else {
                        assertEquals(0, Float.floatToRawIntBits(masked[e]), "dropped must be +0.0f: " + e);
                        assertEquals(0, Double.doubleToRawLongBits(maskedD[e]), "dropped must be +0.0: " + e);
                    }
                }
                assertEquals(DropConnect.streamOffset(step), step * BLOCK);
            }
            assertArrayEquals(before, w, "the weights must not change");
        }
    }

    @Test
    void maskGradientZeroesExactlyTheDroppedWeightsAndScalesTheRest() {
        DropConnect dc = DropConnect.of(P);
        float scale = (float) (1 / (1 - P));
        int n = 4099;
        for (long step : STEPS) {
            long seed = Seeds.derive(5, step);
            float[] dw = randomFloats(n, step + 1);
            float[] original = dw.clone();
            double[] dwd = new double[n];
            for (int i = 0; i < n; i++) {
                dwd[i] = dw[i];
            }
            dc.maskGradient(seed, step, dw);
            dc.maskGradient(seed, step, dwd);
            // The weights' mask of the same (seed, step): where it is zero the gradient must be zero.
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            float[] maskedOnes = dc.weights(seed, step, ones, new float[n]);
            long[] bits = new long[Dropout.maskWords(n)];
            Dropout.inverted(P).mask(seed, step * BLOCK, bits, 0, n);
            int dropped = 0;
            for (int e = 0; e < n; e++) {
                assertEquals(maskedOnes[e] != 0, kept(bits, e), "the weights' mask at " + e);
                if (kept(bits, e)) {
                    assertEquals(Float.floatToRawIntBits(original[e] * scale), Float.floatToRawIntBits(dw[e]),
                            "kept " + e);
                    assertEquals(original[e] * (1 / (1 - P)), dwd[e], 0.0, "kept float64 " + e);
                } else {
                    dropped++;
                    assertEquals(0, Float.floatToRawIntBits(dw[e]), "dropped must be +0.0f: " + e);
                    assertEquals(0, Double.doubleToRawLongBits(dwd[e]), "dropped must be +0.0: " + e);
                }
            }
            assertTrue(dropped > n / 5 && dropped < n * 2 / 5, "about p of the weights dropped: " + dropped);
        }
    }

    /**
     * Step {@code s + 1}'s mask is the stream right after step {@code s}'s whole block of 2^24 elements: the steps
     * read disjoint blocks, whatever the matrix size up to 2^24, so their masks differ.
     */
    @Test
    void consecutiveStepsReadDisjointBlocksOfTheStreamAndUseDifferentMasks() {
        DropConnect dc = DropConnect.of(0.5);
        long seed = 77;
        int n = 1000;
        float[] w = new float[n];
        Arrays.fill(w, 1f);
        for (long step : new long[] {0, 7, 1L << 20}) {
            float[] a = dc.weights(seed, step, w, new float[n]);
            float[] b = dc.weights(seed, step + 1, w, new float[n]);
            assertNotEquals(Arrays.toString(a), Arrays.toString(b), "steps " + step + " and " + (step + 1));
            // One mask over both blocks, the second one's first n bits being step + 1's.
            int span = (int) BLOCK + n;
            long[] bits = new long[Dropout.maskWords(span)];
            Dropout.inverted(0.5).mask(seed, step * BLOCK, bits, 0, span);
            for (int e = 0; e < n; e++) {
                assertEquals(kept(bits, e), a[e] != 0, "step " + step + " element " + e);
                assertEquals(kept(bits, (int) BLOCK + e), b[e] != 0, "step " + (step + 1) + " element " + e);
            }
        }
    }

    @Test
    void theLargestMatrixIsAcceptedAtTheLastStep() {
        int n = DropConnect.MAX_WEIGHTS;
        assertEquals(BLOCK, n);
        assertEquals((1L << 38) - 1, DropConnect.MAX_STEP);
        float[] dw = new float[n];
        Arrays.fill(dw, 1f);
        long step = DropConnect.MAX_STEP;
        DropConnect.of(0.5).maskGradient(3, step, dw);
        long[] bits = new long[1];
        Dropout.inverted(0.5).mask(3, step * BLOCK + n - 64, bits, 0, 64);
        for (int e = 0; e < 64; e++) {
            assertEquals(kept(bits, e) ? 2f : 0f, dw[n - 64 + e], "element " + (n - 64 + e));
        }
    }

    /**
     * A dense layer {@code y = x W'} with {@code W' = W * m / (1 - p)} and loss {@code sum(sin(y) + y^2 / 2)}: the
     * gradient with respect to {@code W'}, masked by {@link DropConnect#maskGradient}, matches central differences of
     * the loss in {@code W} at every weight (exactly zero where the weight is dropped).
     */
    @Test
    void maskedGradientIsTheGradientOfTheLossThroughTheMaskedWeightsByFiniteDifferences() {
        int batch = 3;
        int fanIn = 5;
        int units = 4;
        DropConnect dc = DropConnect.of(0.4);
        long seed = Seeds.derive(11, 3);
        long step = 42;
        SplittableRandom random = new SplittableRandom(8);
        double[] x = new double[batch * fanIn];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        double[] w = new double[fanIn * units]; // w[i * units + j]: input i to unit j
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextDouble(-1, 1);
        }
        double[] masked = dc.weights(seed, step, w, new double[w.length]);
        double[] gradient = new double[w.length];
        for (int k = 0; k < batch; k++) {
            for (int j = 0; j < units; j++) {
                double y = output(x, masked, k, j, fanIn, units);
                double dy = Math.cos(y) + y;
                for (int i = 0; i < fanIn; i++) {
                    gradient[i * units + j] += x[k * fanIn + i] * dy;
                }
            }
        }
        dc.maskGradient(seed, step, gradient);
        int dropped = 0;
        double h = 1e-6;
        for (int e = 0; e < w.length; e++) {
            double saved = w[e];
            w[e] = saved + h;
            double up = loss(x, dc.weights(seed, step, w, new double[w.length]), batch, fanIn, units);
            w[e] = saved - h;
            double down = loss(x, dc.weights(seed, step, w, new double[w.length]), batch, fanIn, units);
            w[e] = saved;
            double numeric = (up - down) / (2 * h);
            if (masked[e] == 0) {
                dropped++;
                assertEquals(0.0, numeric, 0.0, "a dropped weight does not move the loss: " + e);
                assertEquals(0, Double.doubleToRawLongBits(gradient[e]), "dropped " + e);
            } else {
                assertEquals(numeric, gradient[e], 1e-7 * Math.max(1, Math.abs(numeric)), "weight " + e);
            }
        }
        assertTrue(dropped > 0 && dropped < w.length, "some weights dropped, some kept: " + dropped);
    }

    private static double output(double[] x, double[] w, int k, int j, int fanIn, int units) {
        double y = 0;
        for (int i = 0; i < fanIn; i++) {
            y += x[k * fanIn + i] * w[i * units + j];
        }
        return y;
    }

    private static double loss(double[] x, double[] w, int batch, int fanIn, int units) {
        double total = 0;
        for (int k = 0; k < batch; k++) {
            for (int j = 0; j < units; j++) {
                double y = output(x, w, k, j, fanIn, units);
                total += Math.sin(y) + y * y / 2;
            }
        }
        return total;
    }

    @Test
    void onlyInvertedElementwiseDropoutIsAccepted() {
        assertThrows(IllegalArgumentException.class, () -> DropConnect.of(Dropout.classic(0.5)));
        assertThrows(IllegalArgumentException.class, () -> DropConnect.of(Dropout.alpha(0.5)));
        assertThrows(IllegalArgumentException.class,
                () -> DropConnect.of(Dropout.inverted(0.5).perChannel(ChannelLayout.channelsLast(2, 2))));
        assertThrows(NullPointerException.class, () -> DropConnect.of((Dropout) null));
        assertThrows(IllegalArgumentException.class, () -> DropConnect.of(1.5));
        assertThrows(IllegalArgumentException.class, () -> DropConnect.of(Double.NaN));
        assertEquals(0.25, DropConnect.of(Dropout.inverted(0.25).scalarReference()).p());
    }

    private static final float SENTINEL = -7.25f;

    private static float[] sentinels(int n) {
        float[] a = new float[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    private static double[] sentinelsD(int n) {
        double[] a = new double[n];
        Arrays.fill(a, SENTINEL);
        return a;
    }

    private static void assertRejectedUnwritten(Class<? extends Throwable> type, Executable call, String what,
                                                float[] output) {
        float[] before = output.clone();
        assertThrows(type, call, what);
        assertArrayEquals(before, output, what + ": written before the exception");
    }

    private static void assertRejectedUnwritten(Class<? extends Throwable> type, Executable call, String what,
                                                double[] output) {
        double[] before = output.clone();
        assertThrows(type, call, what);
        assertArrayEquals(before, output, what + ": written before the exception");
    }

    @Test
    void badInputIsRejectedBeforeAnyWrite() {
        DropConnect dc = DropConnect.of(0.5);
        float[] w = randomFloats(100, 1);
        double[] wd = new double[100];
        Arrays.fill(wd, 1.5);
        float[] out = sentinels(100);
        double[] outD = sentinelsD(100);
        Class<NullPointerException> npe = NullPointerException.class;
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;

        assertThrows(npe, () -> dc.weights(1, 0, (float[]) null, out));
        assertRejectedUnwritten(npe, () -> dc.weights(1, 0, w, null), "null masked", w);
        float[] shorter = sentinels(99);
        assertRejectedUnwritten(iae, () -> dc.weights(1, 0, w, shorter), "shorter masked", shorter);
        float[] longer = sentinels(101);
        assertRejectedUnwritten(iae, () -> dc.weights(1, 0, w, longer), "longer masked", longer);
        float[] in = w.clone();
        assertRejectedUnwritten(iae, () -> dc.weights(1, 0, in, in), "masked is the weights", in);
        for (long step : new long[] {-1, Long.MIN_VALUE, DropConnect.MAX_STEP + 1, Long.MAX_VALUE}) {
            assertRejectedUnwritten(iae, () -> dc.weights(1, step, w, out), "step " + step, out);
            assertRejectedUnwritten(iae, () -> dc.weights(1, step, wd, outD), "float64 step " + step, outD);
            assertRejectedUnwritten(iae, () -> dc.maskGradient(1, step, out), "gradient step " + step, out);
            assertRejectedUnwritten(iae, () -> dc.maskGradient(1, step, outD), "float64 gradient step " + step,
                    outD);
            assertThrows(iae, () -> DropConnect.streamOffset(step), "streamOffset " + step);
        }
        assertThrows(npe, () -> dc.weights(1, 0, (double[]) null, outD));
        assertRejectedUnwritten(npe, () -> dc.weights(1, 0, wd, null), "float64 null masked", wd);
        double[] shorterD = sentinelsD(99);
        assertRejectedUnwritten(iae, () -> dc.weights(1, 0, wd, shorterD), "float64 shorter", shorterD);
        double[] longerD = sentinelsD(101);
        assertRejectedUnwritten(iae, () -> dc.weights(1, 0, wd, longerD), "float64 longer", longerD);
        double[] inD = wd.clone();
        assertRejectedUnwritten(iae, () -> dc.weights(1, 0, inD, inD), "float64 masked is the weights", inD);
        assertThrows(npe, () -> dc.maskGradient(1, 0, (float[]) null));
        assertThrows(npe, () -> dc.maskGradient(1, 0, (double[]) null));
    }

    /** One element over 2^24 (a step's block) is rejected: its last weight would read the next step's first. */
    @Test
    void aMatrixLargerThanAStepsBlockIsRejectedBeforeAnyWrite() {
        DropConnect dc = DropConnect.of(0.5);
        int n = DropConnect.MAX_WEIGHTS + 1;
        float[] big = sentinels(n);
        float[] masked = sentinels(n);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dc.weights(1, 0, big, masked));
        assertTrue(e.getMessage().contains("16777216"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> dc.maskGradient(1, 0, big));
        for (int i = 0; i < n; i++) {
            if (masked[i] != SENTINEL || big[i] != SENTINEL) {
                throw new AssertionError("element " + i + " written before the exception");
            }
        }
    }
}
