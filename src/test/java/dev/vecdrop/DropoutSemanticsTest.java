package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/** The documented semantics, checked element by element from the contract, on the reference and the active kernels. */
@Tag("semantics")
class DropoutSemanticsTest {

    static final float SIGNALLING_NAN = Float.intBitsToFloat(0x7f80_0001);

    static Stream<Arguments> implementations() {
        // Alpha dropout's forward is affine: AlphaDropoutTest.
        return Stream.of(Scaling.INVERTED, Scaling.CLASSIC).flatMap(scaling -> Stream.of(0.1, 0.5, 0.77, 0.999)
                .flatMap(p -> Stream.of(
                Arguments.of(Dropout.of(p, scaling).scalarReference()),
                Arguments.of(Dropout.of(p, scaling)))));
    }

    static float[] inputs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        x[0] = Float.NaN;
        x[1] = Float.POSITIVE_INFINITY;
        x[2] = Float.NEGATIVE_INFINITY;
        x[3] = -0.0f;
        x[4] = SIGNALLING_NAN;
        return x;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void forwardFollowsTheContractElementByElement(Dropout dropout) {
        int n = 1000;
        long seed = 99;
        long streamOffset = 12_345;
        float[] x = inputs(n, 5);
        float[] y = new float[n];
        long[] mask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, streamOffset, x, 0, y, 0, n, mask, 0);
        float s = dropout.scaling() == Scaling.INVERTED ? (float) (1.0 / (1.0 - dropout.p())) : 1.0f;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = MaskStream.keep(seed, streamOffset + i, MaskStream.threshold(dropout.p()));
            float expected = keep ? (s == 1.0f ? x[i] : x[i] * s) : 0.0f;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), "element " + i);
            assertEquals(keep, ((mask[i >>> 6] >>> i) & 1) == 1, "mask bit " + i);
            kept += keep ? 1 : 0;
        }
        assertEquals(0, mask[mask.length - 1] >>> (n & 63), "bits past the end must be zero");
        assertTrue(kept > 0 && kept < n, "p=" + dropout.p() + " kept " + kept + " of " + n);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void droppedElementsArePositiveZeroWhateverTheInput(Dropout dropout) {
        int n = 4096;
        float[] x = new float[n];
        java.util.Arrays.fill(x, Float.NaN);
        float[] y = new float[n];
        long[] mask = new long[Dropout.maskWords(n)];
        dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
        for (int i = 0; i < n; i++) {
            boolean keep = ((mask[i >>> 6] >>> i) & 1) == 1;
            if (keep) {
                assertTrue(Float.isNaN(y[i]), "kept NaN at " + i);
            } else {
                assertEquals(0, Float.floatToRawIntBits(y[i]), "dropped element " + i + " must be +0.0f");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void bothBackwardsEqualForwardAppliedToTheGradient(Dropout dropout) {
        int n = 777;
        long seed = -5;
        long streamOffset = 3; // odd
        float[] dy = inputs(n, 8);
        float[] viaForward = new float[n];
        float[] viaRegeneration = new float[n];
        float[] viaBits = new float[n];
        long[] mask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, streamOffset, dy, 0, viaForward, 0, n, mask, 0);
        dropout.backward(seed, streamOffset, dy, 0, viaRegeneration, 0, n);
        dropout.backward(mask, 0, dy, 0, viaBits, 0, n);
        assertArrayEquals(rawBits(viaForward), rawBits(viaRegeneration));
        assertArrayEquals(rawBits(viaForward), rawBits(viaBits));
    }

    @Test
    void classicAndInvertedAgreeUpToTheScale() {
        int n = 2048;
        float[] x = inputs(n, 3);
        float[] inverted = new float[n];
        float[] classic = new float[n];
        Dropout.inverted(0.3).forward(11, 64, x, 0, inverted, 0, n);
        Dropout.classic(0.3).forward(11, 64, x, 0, classic, 0, n);
        float s = (float) (1.0 / 0.7);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(classic[i] * s), Float.floatToRawIntBits(inverted[i]), "element " + i);
        }
    }

    /**
     * Classic eval is {@code x * (float) q} (and {@code x * q} in float64) even where the scale rounds to 1: no copy
     * in its place, which a signalling NaN would tell apart (the multiply quietens it). It copied there until stop
     * 30 (found by a review helper's independent implementation of the contract).
     */
    @Test
    void classicEvalMultipliesEvenWhereTheScaleRoundsToOne() {
        float[] x = {Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xff812345), 1.5f, -0.0f,
                Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        xd[0] = Double.longBitsToDouble(0x7ff0000000000001L);
        for (double p : new double[] {0.0, 1e-9, 0x1p-60}) {
            Dropout classic = Dropout.classic(p);
            float scale = classic.evalScale();
            double scaleDouble = classic.evalScaleDouble();
            float[] y = new float[x.length];
            double[] yd = new double[x.length];
            classic.eval(x, 0, y, 0, x.length);
            classic.eval(xd, 0, yd, 0, x.length);
            java.lang.foreign.MemorySegment segment = java.lang.foreign.MemorySegment.ofArray(new float[x.length]);
            classic.floatSegments().eval(java.lang.foreign.MemorySegment.ofArray(x), 0, segment, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i] * scale), Float.floatToRawIntBits(y[i]), p + ": " + i);
                assertEquals(Float.floatToRawIntBits(x[i] * scale),
                        Float.floatToRawIntBits(segment.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i)),
                        p + ", segment: " + i);
                assertEquals(Double.doubleToRawLongBits(xd[i] * scaleDouble), Double.doubleToRawLongBits(yd[i]),
                        p + ", float64: " + i);
            }
        }
    }

    @Test
    void evalIsIdentityForInvertedAndScalesByKeepProbabilityForClassic() {
        int n = 1001;
        float[] x = inputs(n, 4);
        float[] y = new float[n];
        Dropout.inverted(0.4).eval(x, 0, y, 0, n);
        assertArrayEquals(rawBits(x), rawBits(y), "inverted eval must copy bit for bit");
        Dropout classic = Dropout.classic(0.4);
        classic.eval(x, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(x[i] * 0.6f), Float.floatToRawIntBits(y[i]), "element " + i);
        }
        assertEquals(0.6f, classic.evalScale());
        float[] inPlace = x.clone();
        Dropout.inverted(0.4).eval(inPlace, 0, inPlace, 0, n);
        assertArrayEquals(rawBits(x), rawBits(inPlace));
    }

    @Test
    void pZeroCopiesExactlyEvenSignallingNaNsAndSetsEveryMaskBit() {
        for (Scaling scaling : new Scaling[] {Scaling.INVERTED, Scaling.CLASSIC}) { // alpha: AlphaDropoutTest
            int n = 200;
            float[] x = inputs(n, 6);
            float[] y = new float[n];
            long[] mask = new long[Dropout.maskWords(n)];
            Dropout dropout = Dropout.of(0.0, scaling);
            dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
            assertArrayEquals(rawBits(x), rawBits(y));
            assertArrayEquals(new long[] {-1L, -1L, -1L, (1L << 8) - 1}, mask);
            assertEquals(1.0f, dropout.trainScale());
            assertEquals(1.0, dropout.keepProbability());
        }
    }

    @Test
    void pOneDropsEverythingWithoutDividingByZero() {
        for (Scaling scaling : new Scaling[] {Scaling.INVERTED, Scaling.CLASSIC}) { // alpha: AlphaDropoutTest
            int n = 130;
            float[] x = inputs(n, 7);
            float[] y = inputs(n, 8);
            long[] mask = {-1, -1, -1};
            Dropout dropout = Dropout.of(1.0, scaling);
            dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
            assertArrayEquals(new int[n], rawBits(y));
            assertArrayEquals(new long[3], mask);
            assertTrue(Float.isFinite(dropout.trainScale()));
            float[] dx = inputs(n, 9);
            dropout.backward(new long[] {-1, -1, -1}, 0, x, 0, dx, 0, n);
            assertArrayEquals(new int[n], rawBits(dx));
            assertEquals(0.0, dropout.keepProbability());
        }
    }

    @Test
    void keepFractionMatchesTheExactKeepProbability() {
        int n = 1 << 20;
        long[] mask = new long[Dropout.maskWords(n)];
        Dropout dropout = Dropout.inverted(0.3);
        dropout.mask(77, 0, mask, 0, n);
        long kept = 0;
        for (long w : mask) {
            kept += Long.bitCount(w);
        }
        double q = dropout.keepProbability();
        double sigma = Math.sqrt(n * q * (1 - q));
        assertTrue(Math.abs(kept - n * q) < 6 * sigma, "kept " + kept + " of " + n + ", expected " + n * q);
    }

    static int[] rawBits(float[] a) {
        int[] bits = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            bits[i] = Float.floatToRawIntBits(a[i]);
        }
        return bits;
    }
}
