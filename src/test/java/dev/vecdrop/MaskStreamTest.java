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

@Tag("semantics")
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
        // The two ends saturate differently. Keep-all needs 1 - p to round to 1.0, which only p <= 2^-54 does
        // (2^-54 is the tie, and rounds to even: 1.0); the next double gives 1 - 2^-53 and T = 2^32 - 1.
        assertEquals(1L << 32, MaskStream.threshold(1e-18));
        assertEquals(1L << 32, MaskStream.threshold(0x1p-54));
        assertEquals((1L << 32) - 1, MaskStream.threshold(Math.nextUp(0x1p-54)));
        // So p = 1e-12 (and every p up to 2^-32) does not keep all: (1 - p) * 2^32 = 2^32 - 0.0043 gives 2^32 - 1.
        assertEquals((1L << 32) - 1, MaskStream.threshold(1e-12));
        assertEquals((1L << 32) - 1, MaskStream.threshold(0x1p-33));
        assertEquals((1L << 32) - 1, MaskStream.threshold(0x1p-32));
        assertEquals((1L << 32) - 2, MaskStream.threshold(0x1p-32 + 0x1p-53));
        // Near 1, 1 - p is exact, so T = 0 exactly when 1 - p < 2^-32: p = 1 - 2^-32 still keeps one value in 2^32.
        assertEquals(1L, MaskStream.threshold(1 - 0x1p-32));
        assertEquals(0L, MaskStream.threshold(Math.nextUp(1 - 0x1p-32)));
        assertEquals(0L, MaskStream.threshold(1 - 1e-12));
        assertEquals(0L, MaskStream.threshold(Math.nextDown(1.0)));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.0001, 1.0001, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void thresholdRejectsBadProbabilities(double p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskStream.threshold(p));
        assertTrue(e.getMessage().contains(String.valueOf(p)), e.getMessage());
    }

    /**
     * Known answers, published in docs/mask-stream.md: the contract must never change, so neither may these.
     * The constants were first printed by the tool itself, so each is also derived here without any vecdrop
     * code, from {@code java.util.SplittableRandom} and the contract's text; then the library, on whatever
     * kernels this JVM runs, must give the same words.
     */
    @Test
    void publishedMaskWordsNeverChange() {
        long[][] published = {
            {0x541f5d7ad5f737f9L, 0xc6d47be1e829cec5L, 0xc3c41ca7a71745d3L, 0xaaa037b323fc08dcL},
            {0xaa0faebd6afb9bfcL},
            {0xddffff7fefffffffL, 0x5ff7ffbbfffffffdL},
        };
        long[] seeds = {42, 42, 0xdeadbeefcafebabeL};
        long[] offsets = {0, 1, 1_000_000_007L};
        int[] counts = {256, 64, 128};
        double[] ps = {0.5, 0.5, 0.1};
        for (int row = 0; row < published.length; row++) {
            String what = "seed " + seeds[row] + " offset " + offsets[row] + " p " + ps[row];
            assertArrayEquals(published[row], derivedFromSplittableRandom(seeds[row], offsets[row], counts[row], ps[row]),
                    what + ": the published words do not follow from the contract");
            assertArrayEquals(published[row], mask(seeds[row], offsets[row], counts[row], ps[row]),
                    what + ": the library does not give the published words");
        }
    }

    /**
     * The contract, read literally: word {@code k} is the {@code (k + 1)}-th {@code nextLong()}; element {@code e}
     * takes its low half if even, its high half if odd; kept iff that half, unsigned, is below
     * {@code T = floor((1 - p) * 2^32)}; bit {@code i & 63} of word {@code i >>> 6}, LSB first.
     */
    private static long[] derivedFromSplittableRandom(long seed, long offset, int count, double p) {
        long t = (long) Math.floor((1 - p) * 4294967296.0);
        SplittableRandom random = new SplittableRandom(seed);
        for (long k = 0; k < offset >>> 1; k++) { // no skip-ahead: draw the words before the first element
            random.nextLong();
        }
        long[] words = new long[(count + 63) / 64];
        long word = 0;
        for (int i = 0; i < count; i++) {
            long e = offset + i;
            if (i == 0 || e % 2 == 0) {
                word = random.nextLong(); // word e / 2
            }
            long u = e % 2 == 0 ? word & 0xffff_ffffL : word >>> 32;
            if (Long.compareUnsigned(u, t) < 0) {
                words[i / 64] |= 1L << (i % 64);
            }
        }
        return words;
    }

    private static long[] mask(long seed, long offset, int count, double p) {
        long[] words = new long[Dropout.maskWords(count)];
        Dropout.inverted(p).mask(seed, offset, words, 0, count);
        return words;
    }

    private static final long BOUNDARY_SEED = 0x600d_5eedL;
    private static final long TWO_TO_THE_31 = 1L << 31;

    /**
     * Elements of {@link #BOUNDARY_SEED}'s stream, both parities, whose uniforms sit where a wrong compare shows:
     * the smallest and largest uniform, and the nearest to 2^31 from below and from above (where the vector
     * kernels' signed compare of {@code u ^ 2^31} against {@code T - 2^31} changes sign), plus an ordinary one.
     */
    private static long[] boundaryElements() {
        long[] found = new long[10];
        for (int parity = 0; parity < 2; parity++) {
            long smallest = -1;
            long largest = -1;
            long below = -1;
            long above = -1;
            for (long e = 1000 + parity; e < 4_000_000; e += 2) {
                long u = Integer.toUnsignedLong(MaskStream.uniform32(BOUNDARY_SEED, e));
                if (smallest < 0 || u < u(smallest)) {
                    smallest = e;
                }
                if (largest < 0 || u > u(largest)) {
                    largest = e;
                }
                if (u < TWO_TO_THE_31 && (below < 0 || u > u(below))) {
                    below = e;
                }
                if (u >= TWO_TO_THE_31 && (above < 0 || u < u(above))) {
                    above = e;
                }
            }
            long[] mine = {smallest, largest, below, above, 1234 + parity};
            System.arraycopy(mine, 0, found, 5 * parity, 5);
        }
        return found;
    }

    private static long u(long e) {
        return Integer.toUnsignedLong(MaskStream.uniform32(BOUNDARY_SEED, e));
    }

    /** {@code p = 1 - T / 2^32} is exact for integer {@code T} (both terms are multiples of 2^-32), so its threshold is T. */
    private static double probabilityWithThreshold(long t) {
        double p = 1 - t * 0x1p-32;
        assertEquals(t, MaskStream.threshold(p), "p = " + p);
        return p;
    }

    /**
     * The contract keeps iff {@code u < T}: an element whose uniform equals the threshold is dropped, one threshold
     * higher it is kept. Checked through {@link MaskStream#keep} and through forward, mask and regenerating
     * backward on the active and scalar kernels, with the element in the middle of a 1000-element call (inside
     * the vector body, not the scalar tail) at even and odd stream offsets.
     */
    @Test
    void anElementWhoseUniformEqualsTheThresholdIsDroppedAndKeptOneAbove() {
        long[] elements = boundaryElements();
        assertTrue(u(elements[2]) >= TWO_TO_THE_31 - 5000 && u(elements[3]) < TWO_TO_THE_31 + 5000,
                "the search must find uniforms near 2^31: " + u(elements[2]) + ", " + u(elements[3]));
        for (long e : elements) {
            long u = u(e);
            for (long t : new long[] {u, u + 1, TWO_TO_THE_31}) {
                if (t == 0 || t == MaskStream.KEEP_ALL) {
                    continue; // Dropout's shortcuts, not a compare; FastPathContractTest covers them
                }
                boolean keep = u < t; // the contract, on the unsigned value
                assertEquals(keep, MaskStream.keep(BOUNDARY_SEED, e, t), "keep(e=" + e + ", u=" + u + ", T=" + t + ")");
                double p = probabilityWithThreshold(t);
                for (Dropout d : new Dropout[] {Dropout.inverted(p), Dropout.inverted(p).scalarReference()}) {
                    for (int index : new int[] {500, 501}) {
                        assertCallAgrees(d, e, index, keep, "e=" + e + " u=" + u + " T=" + t + " " + d + " index " + index);
                    }
                }
            }
        }
    }

    /** One 1000-element call that holds element {@code e} at {@code index}: its bit, output and gradient. */
    private static void assertCallAgrees(Dropout d, long e, int index, boolean keep, String what) {
        int n = 1000;
        long offset = e - index;
        long[] mask = new long[Dropout.maskWords(n)];
        d.mask(BOUNDARY_SEED, offset, mask, 0, n);
        assertEquals(keep, ((mask[index >>> 6] >>> index) & 1) != 0, what + ": mask bit");
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1.0f);
        float[] y = new float[n];
        long[] forwardMask = new long[mask.length];
        d.forward(BOUNDARY_SEED, offset, ones, 0, y, 0, n, forwardMask, 0);
        assertEquals(keep ? d.trainScale() : 0.0f, y[index], what + ": forward");
        assertArrayEquals(mask, forwardMask, what + ": forward's mask");
        float[] dx = new float[n];
        d.backward(BOUNDARY_SEED, offset, ones, 0, dx, 0, n);
        assertEquals(keep ? d.trainScale() : 0.0f, dx[index], what + ": regenerating backward");
        for (int i = 0; i < n; i++) { // and every other element of the call, from the contract
            assertEquals(MaskStream.keep(BOUNDARY_SEED, offset + i, d.threshold()), ((mask[i >>> 6] >>> i) & 1) != 0,
                    what + ": mask bit " + i);
        }
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
