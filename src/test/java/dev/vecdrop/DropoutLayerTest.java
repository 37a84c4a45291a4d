package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class DropoutLayerTest {

    @Test
    void forwardAdvancesTheStreamAndBackwardRegeneratesTheSameMask() {
        Dropout dropout = Dropout.inverted(0.5);
        DropoutLayer layer = new DropoutLayer(dropout, 1234);
        float[] x = DropoutSemanticsTest.inputs(301, 1);
        float[] y1 = new float[301];
        float[] y2 = new float[301];
        assertEquals(0, layer.forward(x, 0, y1, 0, 301));
        long second = layer.forward(x, 0, y2, 0, 301);
        assertEquals(301, second);
        assertEquals(602, layer.position());

        float[] expected = new float[301];
        dropout.forward(1234, 301, x, 0, expected, 0, 301);
        assertArrayEquals(DropoutSemanticsTest.rawBits(expected), DropoutSemanticsTest.rawBits(y2));

        float[] dx = new float[301];
        layer.backward(second, x, 0, dx, 0, 301);
        assertArrayEquals(DropoutSemanticsTest.rawBits(y2), DropoutSemanticsTest.rawBits(dx));
    }

    /** {@code keep ? x * s : +0.0f} from the contract, element by element, for stream elements {@code [offset, offset + n)}. */
    private static int[] contractOutput(Dropout d, long seed, long offset, float[] x, int n) {
        long t = MaskStream.threshold(d.p());
        float s = d.scaling() == Scaling.INVERTED ? (float) (1.0 / (1.0 - d.p())) : 1.0f;
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = MaskStream.keep(seed, offset + i, t) ? Float.floatToRawIntBits(s == 1.0f ? x[i] : x[i] * s) : 0;
        }
        return bits;
    }

    @Test
    void forwardReturnsEachCallsStreamOffsetAndMaskedForwardsStoreTheContractsBits() {
        long seed = 0x5eed;
        Dropout dropout = Dropout.inverted(0.37);
        DropoutLayer layer = new DropoutLayer(dropout, seed);
        long t = MaskStream.threshold(0.37);
        // Odd lengths move later calls to odd stream offsets; 0 must not move anything.
        int[] lengths = {77, 0, 130, 1, 64, 1000, 63, 2};
        boolean[] masked = {false, true, true, false, true, true, false, true};
        long expectedOffset = 0;
        for (int call = 0; call < lengths.length; call++) {
            int n = lengths[call];
            float[] x = DropoutSemanticsTest.inputs(Math.max(n, 5), call);
            float[] y = new float[Math.max(n, 5)];
            long[] mask = new long[Dropout.maskWords(n) + 2];
            java.util.Arrays.fill(mask, 0xa5a5_a5a5_a5a5_a5a5L);
            assertEquals(expectedOffset, layer.position(), "call " + call);
            long offset = masked[call] ? layer.forward(x, 0, y, 0, n, mask, 1) : layer.forward(x, 0, y, 0, n);
            assertEquals(expectedOffset, offset, "call " + call + " must return the offset it used");
            expectedOffset += n;
            assertEquals(expectedOffset, layer.position(), "call " + call + " must advance the position by " + n);
            assertArrayEquals(contractOutput(dropout, seed, offset, x, n),
                    java.util.Arrays.copyOf(DropoutSemanticsTest.rawBits(y), n), "call " + call + " output");
            if (masked[call]) {
                assertEquals(0xa5a5_a5a5_a5a5_a5a5L, mask[0], "call " + call + ": word before the mask");
                assertEquals(0xa5a5_a5a5_a5a5_a5a5L, mask[mask.length - 1], "call " + call + ": word after the mask");
                for (int i = 0; i < 64 * Dropout.maskWords(n); i++) {
                    boolean bit = ((mask[1 + (i >>> 6)] >>> i) & 1) != 0;
                    boolean keep = i < n && MaskStream.keep(seed, offset + i, t);
                    assertEquals(keep, bit, "call " + call + ": mask bit " + i + " (stream element " + (offset + i) + ")");
                }
            }
        }
    }

    @Test
    void evalCopiesForInvertedAndScalesByKeepProbabilityForClassicBitForBit() {
        int n = 301;
        float[] x = DropoutSemanticsTest.inputs(n, 3); // NaN, infinities, -0.0f, a signalling NaN, Gaussians
        float[] guarded = new float[n + 4];
        System.arraycopy(x, 0, guarded, 2, n);
        for (double p : new double[] {0.0, 0.2, 0.5, 0.999, 1.0}) {
            DropoutLayer inverted = new DropoutLayer(Dropout.inverted(p), 1);
            float[] y = new float[n + 6];
            inverted.eval(guarded, 2, y, 3, n);
            assertArrayEquals(DropoutSemanticsTest.rawBits(x),
                    DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(y, 3, 3 + n)), "inverted p=" + p);
            assertEquals(0, inverted.position());

            DropoutLayer classic = new DropoutLayer(Dropout.classic(p), 1);
            float q = (float) (1 - p);
            y = new float[n + 6];
            classic.eval(guarded, 2, y, 3, n);
            for (int i = 0; i < n; i++) {
                // x * (float) (1 - p) even where that is 1 (the contract's table: a signalling NaN is quietened).
                float expected = x[i] * q;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[3 + i]),
                        "classic p=" + p + " element " + i);
            }
            assertEquals(0, Float.floatToRawIntBits(y[2]) | Float.floatToRawIntBits(y[3 + n]), "outside the region");
            float[] inPlace = x.clone();
            classic.eval(inPlace, 0, inPlace, 0, n);
            for (int i = 0; i < n; i++) {
                float expected = x[i] * q;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(inPlace[i]),
                        "classic in place p=" + p + " element " + i);
            }
            assertEquals(0, classic.position());
        }
    }

    @Test
    void evalDoesNotMoveTheStream() {
        DropoutLayer layer = new DropoutLayer(Dropout.classic(0.2), 1);
        layer.eval(new float[5], 0, new float[5], 0, 5);
        assertEquals(0, layer.position());
    }

    @Test
    void itReportsTheDropoutAndSeedItWasBuiltWith() {
        Dropout dropout = Dropout.classic(0.3);
        DropoutLayer layer = new DropoutLayer(dropout, 0x5eed_1234_5678L);
        assertSame(dropout, layer.dropout());
        assertEquals(0x5eed_1234_5678L, layer.seed());
    }

    @Test
    void seekReplaysAStep() {
        DropoutLayer layer = new DropoutLayer(Dropout.inverted(0.3), 9);
        float[] x = DropoutSemanticsTest.inputs(100, 2);
        float[] first = new float[100];
        float[] replay = new float[100];
        long[] mask = new long[2];
        layer.forward(x, 0, first, 0, 100, mask, 0);
        layer.seek(0);
        layer.forward(x, 0, replay, 0, 100);
        assertArrayEquals(DropoutSemanticsTest.rawBits(first), DropoutSemanticsTest.rawBits(replay));
        assertThrows(IllegalArgumentException.class, () -> layer.seek(-1));
    }

    /**
     * A per-channel layer moves by its calls' decisions ({@code N * C}), not their elements, stores one mask bit per
     * decision, and matches the per-channel dropout at the offsets it returned; a length of part of a sample, or a
     * mask too short for its decisions, throws before the position moves or anything is written.
     */
    @Test
    void aPerChannelLayerMovesByDecisionsAndRejectsPartSamplesBeforeMoving() {
        ChannelLayout layout = ChannelLayout.channelsLast(5, 7); // samples of 35 elements, 7 decisions
        Dropout dropout = Dropout.inverted(0.4).perChannel(layout);
        DropoutLayer layer = new DropoutLayer(dropout, 99);
        int n = 3 * 35;
        float[] x = DropoutSemanticsTest.inputs(n, 2);
        float[] y = new float[n];
        assertEquals(0, layer.forward(x, 0, y, 0, n));
        assertEquals(21, layer.position());
        long[] mask = new long[3];
        java.util.Arrays.fill(mask, 0xa5a5_a5a5_a5a5_a5a5L);
        assertEquals(21, layer.forward(x, 0, y, 0, n, mask, 1));
        assertEquals(42, layer.position());
        float[] expected = new float[n];
        long[] expectedMask = new long[1];
        dropout.forward(99, 21, x, 0, expected, 0, n, expectedMask, 0);
        assertArrayEquals(DropoutSemanticsTest.rawBits(expected), DropoutSemanticsTest.rawBits(y));
        assertEquals(expectedMask[0], mask[1]);
        assertEquals(0xa5a5_a5a5_a5a5_a5a5L, mask[2], "one word for 21 decisions");
        float[] dx = new float[n];
        layer.backward(21, x, 0, dx, 0, n);
        assertArrayEquals(DropoutSemanticsTest.rawBits(expected), DropoutSemanticsTest.rawBits(dx));

        float[] untouched = new float[n];
        assertThrows(IllegalArgumentException.class, () -> layer.forward(x, 0, untouched, 0, n - 7));
        assertThrows(IndexOutOfBoundsException.class, () -> layer.forward(x, 0, untouched, 0, n, new long[0], 0));
        assertEquals(42, layer.position(), "a rejected call must not move the position");
        assertArrayEquals(new float[n], untouched, "a rejected call must not write");
    }

    /**
     * The float64 forms: the forward uses the same stream range and decisions as a float32 one would (the layer's
     * position moves alike, element-wise and per channel), stores the same mask bits, and the backward and eval match
     * the dropout's own float64 calls; a bad call moves nothing and writes nothing.
     */
    @Test
    void float64FormsMoveAlikeAndMatchTheDropoutsFloat64Calls() {
        for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.elementwise(), ChannelLayout.channelsFirst(3, 7)}) {
            Dropout dropout = Dropout.classic(0.35).perChannel(layout);
            DropoutLayer layer = new DropoutLayer(dropout, 7);
            int n = 4 * 21;
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = Math.sin(i) * 3.1;
            }
            double[] y = new double[n];
            assertEquals(0, layer.forward(x, 0, y, 0, n));
            long moved = layer.position();
            assertEquals(layout.decisions(n), moved);
            double[] expected = new double[n];
            dropout.forward(7, 0, x, 0, expected, 0, n);
            assertArrayEquals(expected, y, "float64 forward " + layout);

            long[] mask = new long[Dropout.maskWords(n)];
            long[] floatMask = new long[mask.length];
            double[] y2 = new double[n];
            assertEquals(moved, layer.forward(x, 0, y2, 0, n, mask, 0));
            dropout.mask(7, moved, floatMask, 0, n);
            assertArrayEquals(floatMask, mask, "float64 forward's mask bits " + layout);
            double[] dx = new double[n];
            layer.backward(moved, y2, 0, dx, 0, n);
            double[] expectedDx = new double[n];
            dropout.backward(7, moved, y2, 0, expectedDx, 0, n);
            assertArrayEquals(expectedDx, dx, "float64 backward " + layout);
            double[] eval = new double[n];
            double[] expectedEval = new double[n];
            layer.eval(x, 0, eval, 0, n);
            dropout.eval(x, 0, expectedEval, 0, n);
            assertArrayEquals(expectedEval, eval, "float64 eval " + layout);

            double[] untouched = new double[n];
            long position = layer.position();
            assertThrows(IndexOutOfBoundsException.class, () -> layer.forward(x, 0, untouched, 1, n));
            assertThrows(IndexOutOfBoundsException.class, () -> layer.forward(x, 0, untouched, 0, n, new long[0], 0));
            assertEquals(position, layer.position(), "a rejected call must not move the position " + layout);
            assertArrayEquals(new double[n], untouched, "a rejected call must not write " + layout);
        }
    }

    /**
     * The segment forms, float32 and float64, element-wise and per channel in both layouts, from an odd position: a
     * forward moves the position by its decisions and writes what the dropout's own segment call writes at the offset
     * it returned, its mask bits are the contract's, the backward and eval match the dropout's, and the array forms
     * carry on from the same position; a bad call moves nothing and writes nothing.
     */
    @Test
    void segmentFormsMoveLikeTheArrayFormsAndMatchTheDropoutsSegmentCalls() {
        int n = 2 * 105; // whole samples of 21 and of 35 elements
        for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.elementwise(), ChannelLayout.channelsFirst(3, 7),
            ChannelLayout.channelsLast(5, 7)}) {
            for (boolean floats : new boolean[] {true, false}) {
                String what = (floats ? "float32 " : "float64 ") + layout;
                Dropout dropout = Dropout.inverted(0.3).perChannel(layout);
                FloatSegmentDropout f = dropout.floatSegments();
                DoubleSegmentDropout d = dropout.doubleSegments();
                DropoutLayer layer = new DropoutLayer(dropout, 11);
                layer.seek(3);
                long decisions = layout.decisions(n);
                try (Arena arena = Arena.ofConfined()) {
                    long bytes = (long) n * (floats ? Float.BYTES : Double.BYTES);
                    MemorySegment x = arena.allocate(bytes);
                    for (int i = 0; i < n; i++) {
                        if (floats) {
                            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.sin(i) * 3);
                        } else {
                            x.setAtIndex(ValueLayout.JAVA_DOUBLE, i, Math.sin(i) * 3);
                        }
                    }
                    MemorySegment y = arena.allocate(bytes);
                    MemorySegment expected = arena.allocate(bytes);
                    long first = floats ? layer.forwardFloats(x, 0, y, 0, n) : layer.forwardDoubles(x, 0, y, 0, n);
                    assertEquals(3, first, what);
                    assertEquals(3 + decisions, layer.position(), what);
                    if (floats) {
                        f.forward(11, first, x, 0, expected, 0, n);
                    } else {
                        d.forward(11, first, x, 0, expected, 0, n);
                    }
                    assertEquals(-1, expected.mismatch(y), "forward " + what);

                    MemorySegment mask = arena.allocate(Long.BYTES * (1 + Dropout.maskWords(decisions)));
                    MemorySegment expectedMask = arena.allocate(mask.byteSize());
                    long second = floats ? layer.forwardFloats(x, 0, y, 0, n, mask, 1)
                            : layer.forwardDoubles(x, 0, y, 0, n, mask, 1);
                    assertEquals(first + decisions, second, what);
                    f.mask(11, second, expectedMask, 1, n);
                    assertEquals(-1, expectedMask.mismatch(mask), "mask bits " + what);
                    if (floats) {
                        f.forward(11, second, x, 0, expected, 0, n);
                    } else {
                        d.forward(11, second, x, 0, expected, 0, n);
                    }
                    assertEquals(-1, expected.mismatch(y), "masked forward " + what);

                    MemorySegment dx = arena.allocate(bytes);
                    if (floats) {
                        layer.backwardFloats(second, y, 0, dx, 0, n);
                        f.backward(11, second, y, 0, expected, 0, n);
                    } else {
                        layer.backwardDoubles(second, y, 0, dx, 0, n);
                        d.backward(11, second, y, 0, expected, 0, n);
                    }
                    assertEquals(-1, expected.mismatch(dx), "backward " + what);
                    if (floats) {
                        layer.evalFloats(x, 0, dx, 0, n);
                        f.eval(x, 0, expected, 0, n);
                    } else {
                        layer.evalDoubles(x, 0, dx, 0, n);
                        d.eval(x, 0, expected, 0, n);
                    }
                    assertEquals(-1, expected.mismatch(dx), "eval " + what);
                    assertEquals(second + decisions, layer.position(), "eval does not move " + what);

                    MemorySegment untouched = arena.allocate(bytes);
                    MemorySegment shortOut = untouched.asSlice(0, bytes - 8);
                    assertThrows(IndexOutOfBoundsException.class, () -> {
                        if (floats) {
                            layer.forwardFloats(x, 0, shortOut, 0, n);
                        } else {
                            layer.forwardDoubles(x, 0, shortOut, 0, n);
                        }
                    }, what);
                    assertThrows(IllegalArgumentException.class, () -> { // the mask over the output
                        if (floats) {
                            layer.forwardFloats(x, 0, untouched, 0, n, untouched, 0);
                        } else {
                            layer.forwardDoubles(x, 0, untouched, 0, n, untouched, 0);
                        }
                    }, what);
                    if (layout.decisions(n) != n) { // per channel: whole samples only
                        assertThrows(IllegalArgumentException.class, () -> {
                            if (floats) {
                                layer.forwardFloats(x, 0, untouched, 0, n - 7);
                            } else {
                                layer.forwardDoubles(x, 0, untouched, 0, n - 7, mask, 1);
                            }
                        }, what);
                    }
                    assertEquals(second + decisions, layer.position(), "a rejected call must not move " + what);
                    assertEquals(-1, arena.allocate(bytes).mismatch(untouched),
                            "a rejected call must not write " + what);
                    float[] xa = new float[n];
                    assertEquals(second + decisions, layer.forward(xa, 0, new float[n], 0, n),
                            "arrays carry on " + what);
                }
            }
        }
    }
}
