package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused kernels of the active width against their scalar reference, and against the unfused chain (bias add
 * loop, activation loop, {@link Dropout#forward}), bit for bit: shapes with 0..130 elements and a few large ones,
 * feature counts below, at and past the vector length, even and odd stream offsets, special floats, every
 * activation. Tagged semantics: it runs at the widest width and without the vector module; the other widths'
 * fused kernels equal the reference in VectorMatchesScalarTest.
 */
@Tag("semantics")
class FusedDropoutTest {

    private static final List<Activation> ACTIVATIONS = List.of(Activation.identity(), Activation.relu(),
            Activation.leakyRelu(0.01f), Activation.leakyRelu(0f));
    private static final double[] PS = {0.0, 0.3, 1.0};
    private static final long[] STREAM_OFFSETS = {0, 1, 2, 63, 64, 1001, (1L << 40) + 1};
    private static final int[] FEATURES = {1, 2, 3, 5, 8, 15, 16, 17, 31, 33, 64, 130};
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f,
            0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-40f, -1e-40f,
            Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f};

    /** {@code (rows, features)}: every feature count up to 130 elements, then a few large shapes. */
    private static void forEachShape(ShapeAction action) {
        for (int features : FEATURES) {
            for (int rows = 0; rows * features <= 130; rows++) {
                action.run(rows, features);
            }
        }
        action.run(3, 1031);
        action.run(65, 96);
        action.run(1, 4099);
    }

    @FunctionalInterface
    private interface ShapeAction {
        void run(int rows, int features);
    }

    /** Random values with special floats sprinkled in (also in the bias), and exact cancellations to ±0. */
    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(8);
            v[i] = pick == 0 ? SPECIALS[random.nextInt(SPECIALS.length)] : (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void activeFusedKernelsMatchTheScalarReferenceBitForBit() {
        SplittableRandom random = new SplittableRandom(7);
        int[] cases = {0};
        for (Activation act : ACTIVATIONS) {
            for (double p : PS) {
                FusedDropout active = FusedDropout.of(Dropout.inverted(p), act);
                FusedDropout reference = active.scalarReference();
                assertEquals("scalar", reference.implementation());
                forEachShape((rows, features) -> {
                    int n = rows * features;
                    long e = STREAM_OFFSETS[random.nextInt(STREAM_OFFSETS.length)];
                    long seed = random.nextLong();
                    float[] x = values(random, n + 3);
                    float[] bias = values(random, features + 2);
                    // a few x = -bias, so pre is exactly +0.0 or -0.0 (x = -0.0, bias = -0.0 gives -0.0)
                    for (int i = 0; i < n; i += 7) {
                        x[i + 1] = -bias[1 + (i % features)];
                    }
                    String where = act + " p=" + p + " " + rows + "x" + features + " e=" + e;
                    float[] y1 = new float[n + 2];
                    float[] y2 = new float[n + 2];
                    active.forward(seed, e, x, 1, bias, 1, y1, 2, n, features);
                    reference.forward(seed, e, x, 1, bias, 1, y2, 2, n, features);
                    assertBits(y2, y1, "forward " + where);
                    long[] m1 = filled(Dropout.maskWords(n) + 1);
                    long[] m2 = filled(Dropout.maskWords(n) + 1);
                    Arrays.fill(y1, 9f);
                    Arrays.fill(y2, 9f);
                    active.forward(seed, e, x, 1, bias, 1, y1, 2, n, features, m1, 1);
                    reference.forward(seed, e, x, 1, bias, 1, y2, 2, n, features, m2, 1);
                    assertBits(y2, y1, "masked forward " + where);
                    assertArrayEquals(m2, m1, "mask " + where);
                    float[] dy = values(random, n);
                    float[] dx1 = new float[n];
                    float[] dx2 = new float[n];
                    float[] db1 = new float[features + 1];
                    float[] db2 = new float[features + 1];
                    Arrays.fill(db1, 5f);
                    Arrays.fill(db2, 5f);
                    active.backward(seed, e, y2, 2, dy, 0, dx1, 0, n, features, db1, 1);
                    reference.backward(seed, e, y2, 2, dy, 0, dx2, 0, n, features, db2, 1);
                    assertBits(dx2, dx1, "backward " + where);
                    assertBits(db2, db1, "bias gradient " + where);
                    float[] r = values(random, n);
                    float[] z1 = new float[n];
                    float[] z2 = new float[n];
                    active.residualForward(seed, e, x, 3, r, 0, z1, 0, n);
                    reference.residualForward(seed, e, x, 3, r, 0, z2, 0, n);
                    assertBits(z2, z1, "residual forward " + where);
                    cases[0]++;
                });
            }
        }
        assertTrue(cases[0] > 1000, "too few cases: " + cases[0]);
    }

    @Test
    void fusedForwardIsTheUnfusedBiasActivationDropoutChainBitForBit() {
        SplittableRandom random = new SplittableRandom(11);
        for (Activation act : ACTIVATIONS) {
            for (double p : PS) {
                Dropout dropout = Dropout.inverted(p);
                FusedDropout fused = FusedDropout.of(dropout, act);
                forEachShape((rows, features) -> {
                    int n = rows * features;
                    long e = STREAM_OFFSETS[random.nextInt(STREAM_OFFSETS.length)];
                    long seed = random.nextLong();
                    float[] x = values(random, n);
                    float[] bias = values(random, features);
                    float[] chain = new float[n];
                    for (int i = 0; i < n; i++) { // bias add pass
                        chain[i] = x[i] + bias[i % features];
                    }
                    for (int i = 0; i < n; i++) { // activation pass, written from the usual definitions
                        float pre = chain[i];
                        chain[i] = switch (act.toString()) {
                            case "identity" -> pre;
                            case "relu" -> Math.max(pre, 0f);
                            default -> pre < 0 ? pre * act.alpha() : pre;
                        };
                    }
                    long[] chainMask = new long[Dropout.maskWords(n)];
                    dropout.forward(seed, e, chain, 0, chain, 0, n, chainMask, 0);
                    float[] y = new float[n];
                    long[] mask = filled(Dropout.maskWords(n));
                    fused.forward(seed, e, x, 0, bias, 0, y, 0, n, features, mask, 0);
                    String where = act + " p=" + p + " " + rows + "x" + features + " e=" + e;
                    assertBits(chain, y, "fused vs chain " + where);
                    assertArrayEquals(chainMask, mask, "mask vs Dropout's " + where);
                    fused.forward(seed, e, x, 0, bias, 0, x, 0, n, features); // in place
                    assertBits(chain, x, "in place " + where);
                });
            }
        }
    }

    @Test
    void fusedBackwardAndResidualAreTheirUnfusedPassesBitForBit() {
        SplittableRandom random = new SplittableRandom(13);
        for (Activation act : ACTIVATIONS) {
            for (double p : PS) {
                Dropout dropout = Dropout.inverted(p);
                FusedDropout fused = FusedDropout.of(dropout, act);
                forEachShape((rows, features) -> {
                    int n = rows * features;
                    long e = STREAM_OFFSETS[random.nextInt(STREAM_OFFSETS.length)];
                    long seed = random.nextLong();
                    float[] x = values(random, n);
                    float[] bias = values(random, features);
                    float[] y = new float[n];
                    fused.forward(seed, e, x, 0, bias, 0, y, 0, n, features);
                    float[] dy = values(random, n);
                    // unfused: the dropout's backward, then the activation's derivative from the output
                    float[] chain = new float[n];
                    dropout.backward(seed, e, dy, 0, chain, 0, n);
                    float[] chainBias = new float[features];
                    for (int i = 0; i < n; i++) {
                        float g = chain[i];
                        chain[i] = switch (act.toString()) {
                            case "identity" -> g;
                            case "relu" -> y[i] > 0 ? g : 0f;
                            default -> y[i] > 0 ? g : g * act.alpha();
                        };
                        chainBias[i % features] += chain[i];
                    }
                    float[] dx = new float[n];
                    float[] dBias = new float[features];
                    fused.backward(seed, e, y, 0, dy, 0, dx, 0, n, features, dBias, 0);
                    String where = act + " p=" + p + " " + rows + "x" + features + " e=" + e;
                    assertBits(chain, dx, "backward vs chain " + where);
                    assertBits(chainBias, dBias, "bias gradient vs column sums " + where);
                    fused.backward(seed, e, y, 0, dy, 0, dy, 0, n, features, null, 0); // in place, no dBias
                    assertBits(chain, dy, "in-place backward " + where);
                    float[] r = values(random, n);
                    float[] two = new float[n];
                    dropout.forward(seed, e, x, 0, two, 0, n);
                    for (int i = 0; i < n; i++) {
                        two[i] = r[i] + two[i];
                    }
                    float[] z = new float[n];
                    fused.residualForward(seed, e, x, 0, r, 0, z, 0, n);
                    assertBits(two, z, "residual vs two passes " + where);
                    float[] rdx = new float[n];
                    float[] plain = new float[n];
                    fused.residualBackward(seed, e, z, 0, rdx, 0, n);
                    dropout.backward(seed, e, z, 0, plain, 0, n);
                    assertBits(plain, rdx, "residual backward " + where);
                });
            }
        }
    }

    private static long[] filled(int n) {
        long[] m = new long[n];
        Arrays.fill(m, 0x5555_5555_5555_5555L); // stale bits the mask must overwrite
        return m;
    }

    /**
     * Bit for bit, signed zeros included, but any NaN equals any NaN: when both operands of an add are NaN, x86
     * returns the first one's bits and C2 may swap the operands of a commutative add, so the JVM does not fix which
     * NaN a sum of NaNs is (the bias gradient sums {@code inf - inf} NaNs with input NaNs).
     */
    private static void assertBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ") but was " + actual[i]
                        + " (" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
        assertEquals(expected.length, actual.length, what + ": lengths");
    }
}
