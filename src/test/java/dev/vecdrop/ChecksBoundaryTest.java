package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The argument checks at their exact edges: the last valid value of each bound is accepted (and computes the
 * same as anywhere else), the first invalid one is rejected, and the messages give the region's true end.
 * {@link BadInputTest} covers values well past the edges.
 */
class ChecksBoundaryTest {

    private final Dropout dropout = Dropout.inverted(0.5);

    @Test
    void adjacentRegionsOfOneArrayDoNotOverlap() {
        float[] x = DropoutSemanticsTest.inputs(20, 7);
        float[] expected = new float[10];
        dropout.forward(9, 0, x, 0, expected, 0, 10);

        float[] a = x.clone(); // y = [10, 20) right after x = [0, 10)
        dropout.forward(9, 0, a, 0, a, 10, 10);
        assertArrayEquals(DropoutSemanticsTest.rawBits(expected),
                DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(a, 10, 20)));

        float[] b = new float[20]; // x = [10, 20) right after y = [0, 10)
        System.arraycopy(x, 0, b, 10, 10);
        dropout.forward(9, 0, b, 10, b, 0, 10);
        assertArrayEquals(DropoutSemanticsTest.rawBits(expected),
                DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(b, 0, 10)));
    }

    @Test
    void evalAndKeepAllCopyBetweenAdjacentRegionsOfOneArray() {
        // The identity paths skip the copy only when input and output are the very same region.
        float[] x = DropoutSemanticsTest.inputs(10, 8);
        for (Dropout identity : new Dropout[] {Dropout.inverted(0.5), Dropout.inverted(0.0)}) {
            float[] a = new float[20];
            System.arraycopy(x, 0, a, 0, 10);
            identity.eval(a, 0, a, 10, 10);
            assertArrayEquals(DropoutSemanticsTest.rawBits(x),
                    DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(a, 10, 20)), "eval " + identity);
        }
        // Classic eval multiplies even at p = 0 (x * 1: a signalling NaN is quietened), into the adjacent region too.
        Dropout classic = Dropout.classic(0.0);
        float[] b = new float[20];
        System.arraycopy(x, 0, b, 0, 10);
        classic.eval(b, 0, b, 10, 10);
        float scale = classic.evalScale();
        for (int i = 0; i < 10; i++) {
            assertEquals(Float.floatToRawIntBits(x[i] * scale), Float.floatToRawIntBits(b[10 + i]), "eval " + classic);
        }
        for (Dropout keepAll : new Dropout[] {Dropout.inverted(0.0), Dropout.classic(0.0)}) {
            float[] a = new float[20];
            System.arraycopy(x, 0, a, 0, 10);
            keepAll.forward(1, 0, a, 0, a, 10, 10);
            assertArrayEquals(DropoutSemanticsTest.rawBits(x),
                    DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(a, 10, 20)), "forward " + keepAll);
        }
    }

    @Test
    void regionsOverlappingByOneElementAreRejectedWithBothRanges() {
        float[] a = new float[20];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dropout.forward(9, 0, a, 0, a, 9, 10));
        assertEquals("x [0, 10) and y [9, 19) overlap partially in one array; use the same offset for in-place",
                e.getMessage());
    }

    @Test
    void theLastStreamOffsetThatFitsIsAcceptedAndTheNextIsNot() {
        int n = 10;
        long last = Long.MAX_VALUE - n; // elements last .. 2^63 - 2: the final element index stays >= 0
        float[] x = DropoutSemanticsTest.inputs(n, 3);
        float[] y = new float[n];
        dropout.forward(11, last, x, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            float expected = MaskStream.keep(11, last + i, dropout.threshold()) ? x[i] * dropout.trainScale() : 0.0f;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), "element " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dropout.forward(11, last + 1, x, 0, y, 0, n));
        assertEquals("stream offset must be in [0, 2^63 - 1 - n] for a call of n stream elements (one a decision), got "
                + (last + 1) + " with n = 10",
                e.getMessage());
    }

    @Test
    void aRegionEndingAtTheArrayEndIsAcceptedAndOneFurtherIsRejectedWithItsTrueRange() {
        float[] x = DropoutSemanticsTest.inputs(100, 5);
        float[] y = new float[100];
        dropout.forward(2, 0, x, 90, y, 90, 10);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> dropout.forward(2, 0, x, 91, y, 0, 10));
        assertEquals("x: range [91, 101) out of bounds for length 100", e.getMessage());
    }

    @Test
    void aNegativeLengthIsReportedAsALengthByEveryEntryPoint() {
        // The stream check would also reject it, but with a message about the stream offset.
        float[] x = new float[10];
        long[] mask = new long[1];
        DropoutLayer layer = new DropoutLayer(dropout, 1);
        for (org.junit.jupiter.api.function.Executable call : new org.junit.jupiter.api.function.Executable[] {
                () -> dropout.forward(1, 0, x, 0, new float[10], 0, -1),
                () -> dropout.backward(mask, 0, x, 0, new float[10], 0, -1),
                () -> dropout.eval(x, 0, new float[10], 0, -1),
                () -> dropout.mask(1, 0, mask, 0, -1),
                () -> layer.forward(x, 0, new float[10], 0, -1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
            assertEquals("length must be >= 0, got -1", e.getMessage());
        }
    }

    @Test
    void aNullMaskIsNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> dropout.mask(1, 0, null, 0, 10));
        assertEquals("mask must not be null", e.getMessage());
    }

    @Test
    void aMaskEndingAtTheArrayEndIsAcceptedAndOneWordShortIsRejected() {
        long[] mask = new long[3];
        dropout.mask(4, 0, mask, 1, 128);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> dropout.mask(4, 0, mask, 1, 129));
        assertEquals("mask: 3 words for 129 decisions from offset 1 do not fit in length 3", e.getMessage());
    }

    @Test
    void aSegmentRegionPastLongMaxValueIsReportedWithItsTrueEnd() {
        java.lang.foreign.MemorySegment x = java.lang.foreign.MemorySegment.ofArray(new float[16]);
        java.lang.foreign.MemorySegment y = java.lang.foreign.MemorySegment.ofArray(new float[16]);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> dropout.floatSegments().forward(1, 0, x, Long.MAX_VALUE, y, 0, 10));
        assertEquals("x: elements [9223372036854775807, 9223372036854775807 + 10) out of bounds for a segment of 16",
                e.getMessage());
        java.lang.foreign.MemorySegment mask = java.lang.foreign.MemorySegment.ofArray(new long[1]);
        e = assertThrows(IndexOutOfBoundsException.class, () -> dropout.floatSegments().mask(1, 0, mask, 1, 10));
        assertEquals("mask: words [1, 2) out of bounds for a segment of 1", e.getMessage());
    }

    @Test
    void maskWordsOfANegativeLengthIsAnError() {
        assertEquals(0, Dropout.maskWords(0));
        assertEquals(1, Dropout.maskWords(64));
        assertEquals(2, Dropout.maskWords(65));
        assertEquals(33_554_432, Dropout.maskWords(Integer.MAX_VALUE));
        assertEquals(144_115_188_075_855_872L, Dropout.maskWords(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Dropout.maskWords(-1));
        assertThrows(IllegalArgumentException.class, () -> Dropout.maskWords(Integer.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Dropout.maskWords(-1L));
    }
}
