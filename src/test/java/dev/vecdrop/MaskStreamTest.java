package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("matrix")
class MaskStreamTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 42, 0x9e3779b97f4a7c15L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789abcdefL})
    void wordIsSplittableRandomDrawForDraw(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long k = 0; k < 100_000; k++) {
            assertEquals(random.nextLong(), MaskStream.word(seed, k), "seed " + seed + " draw " + k);
        }
    }

    @Test
    void uniformTakesLowHalfForEvenAndHighHalfForOddElements() {
        long seed = 7;
        for (long e = 0; e < 1000; e++) {
            long word = new SplittableRandom(seed).longs(e / 2 + 1).skip(e / 2).findFirst().orElseThrow();
            int expected = (e % 2 == 0) ? (int) word : (int) (word >>> 32);
            assertEquals(expected, MaskStream.uniform32(seed, e), "element " + e);
        }
    }

    @Test
    void thresholdIsFloorOfKeepProbabilityTimesTwoToThe32() {
        assertEquals(1L << 32, MaskStream.threshold(0.0));
        assertEquals(0L, MaskStream.threshold(1.0));
        assertEquals(1L << 31, MaskStream.threshold(0.5));
        assertEquals(3L << 30, MaskStream.threshold(0.25));
        assertEquals((long) Math.floor(0.9 * 4294967296.0), MaskStream.threshold(0.1));
        // Below 2^-32 of either end the threshold saturates: p = 1e-12 keeps all, 1 - 1e-12 drops all.
        assertEquals(1L << 32, MaskStream.threshold(1e-18));
        assertEquals(0L, MaskStream.threshold(1 - 1e-12));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.0001, 1.0001, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void thresholdRejectsBadProbabilities(double p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskStream.threshold(p));
        assertTrue(e.getMessage().contains(String.valueOf(p)), e.getMessage());
    }

    /**
     * Known answers, published in docs/mask-stream.md: the contract must never change, so neither may these.
     * Checked through the public API on whatever kernels this JVM runs.
     */
    @Test
    void publishedMaskWordsNeverChange() {
        assertArrayEquals(new long[] {0x541f5d7ad5f737f9L, 0xc6d47be1e829cec5L, 0xc3c41ca7a71745d3L, 0xaaa037b323fc08dcL},
                mask(42, 0, 256, 0.5));
        assertArrayEquals(new long[] {0xaa0faebd6afb9bfcL}, mask(42, 1, 64, 0.5));
        assertArrayEquals(new long[] {0xddffff7fefffffffL, 0x5ff7ffbbfffffffdL},
                mask(0xdeadbeefcafebabeL, 1_000_000_007L, 128, 0.1));
    }

    private static long[] mask(long seed, long offset, int count, double p) {
        long[] words = new long[Dropout.maskWords(count)];
        Dropout.inverted(p).mask(seed, offset, words, 0, count);
        return words;
    }

    @Test
    void keepComparesUnsigned() {
        // Find elements whose uniform has the top bit set (negative as int): they must be dropped at p = 0.5
        // and kept at p = 0.
        int seen = 0;
        for (long e = 0; e < 64; e++) {
            int u = MaskStream.uniform32(3, e);
            assertEquals(Integer.toUnsignedLong(u) < (1L << 31), MaskStream.keep(3, e, 1L << 31));
            assertTrue(MaskStream.keep(3, e, 1L << 32));
            assertFalse(MaskStream.keep(3, e, 0));
            if (u < 0) {
                seen++;
            }
        }
        assertTrue(seen > 0, "no uniform with the top bit set in 64 draws");
    }
}
