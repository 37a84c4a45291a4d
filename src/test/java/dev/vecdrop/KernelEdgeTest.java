package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kernel edges that buffers zeroed by the caller would hide: mask words must be written whole whatever they held
 * before (the vector kernel's odd-offset path shifts words it has written and must not pick up stale ones), and a
 * call of length 0 must write nothing at all, whatever its stream offset.
 */
@Tag("matrix")
class KernelEdgeTest {

    private static final long STALE = 0xdead_beef_dead_beefL;
    private static final float SENTINEL = 123.25f;

    static Stream<Dropout> implementations() {
        return Stream.of(Dropout.inverted(0.5), Dropout.inverted(0.5).scalarReference());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void maskWordsAreWrittenWholeOverStaleContents(Dropout dropout) {
        long seed = 17;
        for (long streamOffset : new long[] {0, 1, 64, 65, 1_000_001}) {
            for (int n : new int[] {1, 2, 63, 64, 65, 66, 127, 128, 129, 200}) {
                int words = Dropout.maskWords(n);
                long[] expected = new long[words + 2];
                Arrays.fill(expected, STALE);
                Arrays.fill(expected, 1, 1 + words, 0L);
                for (int i = 0; i < n; i++) {
                    if (MaskStream.keep(seed, streamOffset + i, dropout.threshold())) {
                        expected[1 + (i >>> 6)] |= 1L << i;
                    }
                }
                String where = dropout.implementation() + " offset " + streamOffset + " n " + n;

                long[] mask = new long[words + 2];
                Arrays.fill(mask, STALE);
                dropout.mask(seed, streamOffset, mask, 1, n);
                assertArrayEquals(expected, mask, "mask only, " + where);

                Arrays.fill(mask, STALE);
                float[] x = DropoutSemanticsTest.inputs(Math.max(n, 5), 3);
                dropout.forward(seed, streamOffset, x, 0, new float[x.length], 0, n, mask, 1);
                assertArrayEquals(expected, mask, "forward, " + where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void aCallOfLengthZeroWritesNothing(Dropout dropout) {
        for (long streamOffset : new long[] {0, 1, 2, 3, 1_000_001}) {
            float[] x = {1, 2, 3, 4};
            float[] y = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
            long[] mask = {STALE, STALE};
            dropout.forward(5, streamOffset, x, 1, y, 1, 0, mask, 1);
            dropout.forward(5, streamOffset, x, 2, y, 2, 0);
            dropout.backward(5, streamOffset, x, 3, y, 3, 0);
            dropout.mask(5, streamOffset, mask, 1, 0);
            String where = dropout.implementation() + " offset " + streamOffset;
            assertArrayEquals(new float[] {1, 2, 3, 4}, x, "x, " + where);
            assertArrayEquals(new float[] {SENTINEL, SENTINEL, SENTINEL, SENTINEL}, y, "y, " + where);
            assertEquals(STALE, mask[0], "mask word before, " + where);
            assertEquals(STALE, mask[1], "mask word after, " + where);
        }
    }
}
