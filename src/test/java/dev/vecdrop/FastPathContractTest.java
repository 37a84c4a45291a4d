package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The keep-all ({@code T = 2^32}) and drop-all ({@code T = 0}) shortcuts in {@link Dropout} bypass the kernels,
 * and the scalar reference takes them too, so comparing the two says nothing about them. Here every operation is
 * checked against the contract computed element by element ({@link MaskStream#keep} and the documented scale),
 * and against the documented outputs (drop-all: {@code +0.0f} and zero mask words; keep-all: a bit-exact copy,
 * NaN payloads and signalling NaNs included, mask bits set below {@code length} and clear past it), with nonzero
 * offsets into arrays whose other elements and words hold sentinels that must survive.
 */
@Tag("semantics")
class FastPathContractTest {

    private static final int[] LENGTHS = {0, 1, 63, 64, 65, 127, 128, 1000};
    private static final int GUARD = 3;             // floats before and after every region
    private static final int MASK_GUARD = 2;        // mask words before and after every mask region
    private static final int FLOAT_SENTINEL = 0x7fa5_a5a5;   // a signalling NaN with a payload
    private static final int OUTPUT_FILL = 0x3f5a_5a5a;      // what an output region holds before the call
    private static final long WORD_SENTINEL = 0x5a5a_5a5a_5a5a_5a5aL;
    private static final long MASK_FILL = 0xa5a5_a5a5_a5a5_a5a5L; // garbage the call must overwrite, past length too
    private static final long SEED = 0x0ddba11L;

    /** p values that take a shortcut: the ends, and values inside (0, 1) whose threshold saturates. */
    static Stream<Arguments> fastPaths() {
        double[] keepAll = {0.0, Double.MIN_VALUE, 0x1p-54};
        double[] dropAll = {1.0, Math.nextDown(1.0), 1 - 0x1p-33}; // the last: T = floor(2^-33 * 2^32) = floor(0.5)
        return Stream.of(Scaling.INVERTED, Scaling.CLASSIC).flatMap(scaling -> Stream.of(keepAll, dropAll)
                .flatMap(ps -> Arrays.stream(ps).boxed())
                .flatMap(p -> Stream.of(Dropout.of(p, scaling), Dropout.of(p, scaling).scalarReference()))
                .flatMap(d -> Stream.of(0L, 12_345L, (1L << 62) + 1).map(offset -> Arguments.of(d, offset))));
    }

    /** Inputs with NaN payloads (quiet and signalling, both signs), infinities, signed zeros and subnormals. */
    private static float[] inputs(int n, long seed) {
        int[] specials = {0x7fc1_2345, 0xffc0_0001, 0x7f80_0001, 0xff80_0123, 0x7f80_0000, 0xff80_0000, 0x8000_0000,
            0x0000_0000, 0x0000_0001, 0x8000_0003};
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(4) == 0 ? Float.intBitsToFloat(specials[random.nextInt(specials.length)])
                    : (float) random.nextGaussian() * 10;
        }
        return x;
    }

    /** {@code values} at offset {@link #GUARD} of an array whose other elements are sentinels. */
    private static float[] guarded(float[] values) {
        float[] a = new float[values.length + 2 * GUARD + 1]; // uneven guards: one more after
        Arrays.fill(a, Float.intBitsToFloat(FLOAT_SENTINEL));
        System.arraycopy(values, 0, a, GUARD, values.length);
        return a;
    }

    private static float[] output(int n) {
        float[] fill = new float[n];
        Arrays.fill(fill, Float.intBitsToFloat(OUTPUT_FILL));
        return guarded(fill);
    }

    private static long[] maskArray(int n) {
        long[] m = new long[Dropout.maskWords(n) + 2 * MASK_GUARD];
        Arrays.fill(m, WORD_SENTINEL);
        Arrays.fill(m, MASK_GUARD, MASK_GUARD + Dropout.maskWords(n), MASK_FILL);
        return m;
    }

    /** The contract's keep decisions, one by one. */
    private static boolean[] keeps(Dropout d, long offset, int n) {
        long t = MaskStream.threshold(d.p());
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            keep[i] = MaskStream.keep(SEED, offset + i, t);
        }
        return keep;
    }

    /** The documented scale: {@code (float) (1 / (1 - p))} for inverted, never computed when nothing is kept. */
    private static float documentedScale(Dropout d) {
        boolean keepsAny = MaskStream.threshold(d.p()) > 0;
        return d.scaling() == Scaling.INVERTED && keepsAny ? (float) (1.0 / (1.0 - d.p())) : 1.0f;
    }

    /** The documented output: {@code keep ? x * s : +0.0f}, no multiply where {@code s} is exactly 1. */
    private static int[] expectedBits(boolean[] keep, float[] in, float s) {
        int[] bits = new int[keep.length];
        for (int i = 0; i < keep.length; i++) {
            bits[i] = keep[i] ? Float.floatToRawIntBits(s == 1.0f ? in[i] : in[i] * s) : 0;
        }
        return bits;
    }

    /** Packed words for {@code keep}: LSB first, bits past the end zero. */
    private static long[] packed(boolean[] keep) {
        long[] words = new long[Dropout.maskWords(keep.length)];
        for (int i = 0; i < keep.length; i++) {
            words[i >>> 6] |= (keep[i] ? 1L : 0L) << i;
        }
        return words;
    }

    private static void assertRegion(int[] expected, float[] actual, int offset, String what) {
        for (int i = 0; i < actual.length; i++) {
            int bits = Float.floatToRawIntBits(actual[i]);
            if (i >= offset && i < offset + expected.length) {
                assertEquals(expected[i - offset], bits, what + ": element " + (i - offset));
            } else {
                assertEquals(FLOAT_SENTINEL, bits, what + ": guard element " + i + " was written");
            }
        }
    }

    private static void assertMask(long[] expected, long[] actual, String what) {
        for (int w = 0; w < actual.length; w++) {
            if (w >= MASK_GUARD && w < MASK_GUARD + expected.length) {
                assertEquals(expected[w - MASK_GUARD], actual[w], what + ": mask word " + (w - MASK_GUARD));
            } else {
                assertEquals(WORD_SENTINEL, actual[w], what + ": guard word " + w + " was written");
            }
        }
    }

    private static int[] raw(float[] a) {
        return DropoutSemanticsTest.rawBits(a);
    }

    @ParameterizedTest
    @MethodSource("fastPaths")
    void theContractSaturatesForTheseProbabilities(Dropout d, long offset) {
        long t = MaskStream.threshold(d.p());
        boolean keepAll = t == MaskStream.KEEP_ALL;
        assertTrue(keepAll || t == 0, "p = " + d.p() + " has threshold " + t + ": not a shortcut");
        assertEquals(t, d.threshold());
        // The documented outputs, spelled out: keep-all copies with scale exactly 1, drop-all keeps nothing.
        assertEquals(keepAll ? 1.0 : 0.0, d.keepProbability());
        assertEquals(1.0f, documentedScale(d));
        assertEquals(1.0f, d.trainScale());
        for (boolean k : keeps(d, offset, 1000)) {
            assertEquals(keepAll, k);
        }
    }

    @ParameterizedTest
    @MethodSource("fastPaths")
    void forwardWithAndWithoutMaskAndMaskAloneFollowTheContract(Dropout d, long offset) {
        for (int n : LENGTHS) {
            String what = d + " offset " + offset + " n " + n;
            float[] values = inputs(n, n);
            boolean[] keep = keeps(d, offset, n);
            int[] expected = expectedBits(keep, values, documentedScale(d));
            long[] expectedMask = packed(keep);
            assertDocumentedLiterally(d, values, expected, expectedMask, n, what);

            float[] x = guarded(values);
            float[] y = output(n);
            d.forward(SEED, offset, x, GUARD, y, GUARD, n);
            assertRegion(expected, y, GUARD, what + " forward");
            assertRegion(raw(values), x, GUARD, what + " forward input");

            y = output(n);
            long[] mask = maskArray(n);
            d.forward(SEED, offset, x, GUARD, y, GUARD, n, mask, MASK_GUARD);
            assertRegion(expected, y, GUARD, what + " forward+mask");
            assertMask(expectedMask, mask, what + " forward+mask");
            assertRegion(raw(values), x, GUARD, what + " forward+mask input");

            mask = maskArray(n);
            d.mask(SEED, offset, mask, MASK_GUARD, n);
            assertMask(expectedMask, mask, what + " mask");

            float[] inPlace = guarded(values);
            d.forward(SEED, offset, inPlace, GUARD, inPlace, GUARD, n);
            assertRegion(expected, inPlace, GUARD, what + " forward in place");

            inPlace = guarded(values);
            mask = maskArray(n);
            d.forward(SEED, offset, inPlace, GUARD, inPlace, GUARD, n, mask, MASK_GUARD);
            assertRegion(expected, inPlace, GUARD, what + " forward+mask in place");
            assertMask(expectedMask, mask, what + " forward+mask in place");
        }
    }

    /** What docs/mask-stream.md says in words, checked against the element-by-element expectation. */
    private static void assertDocumentedLiterally(Dropout d, float[] values, int[] expected, long[] expectedMask,
                                                  int n, String what) {
        if (d.threshold() == 0) {
            assertArrayEquals(new int[n], expected, what + ": drop-all must be +0.0f everywhere");
            assertArrayEquals(new long[Dropout.maskWords(n)], expectedMask, what + ": drop-all mask words must be 0");
        } else {
            assertArrayEquals(raw(values), expected, what + ": keep-all must copy bit for bit");
            for (int w = 0; w < expectedMask.length; w++) {
                int bitsInWord = Math.min(64, n - 64 * w);
                long ones = bitsInWord == 64 ? -1L : (1L << bitsInWord) - 1;
                assertEquals(ones, expectedMask[w], what + ": keep-all mask word " + w);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fastPaths")
    void bothBackwardsFollowTheContract(Dropout d, long offset) {
        for (int n : LENGTHS) {
            String what = d + " offset " + offset + " n " + n;
            float[] gradient = inputs(n, ~n);
            boolean[] keep = keeps(d, offset, n);
            float s = documentedScale(d);
            int[] expected = expectedBits(keep, gradient, s);

            float[] dy = guarded(gradient);
            float[] dx = output(n);
            d.backward(SEED, offset, dy, GUARD, dx, GUARD, n);
            assertRegion(expected, dx, GUARD, what + " backward regenerating");
            assertRegion(raw(gradient), dy, GUARD, what + " backward regenerating input");

            float[] inPlace = guarded(gradient);
            d.backward(SEED, offset, inPlace, GUARD, inPlace, GUARD, n);
            assertRegion(expected, inPlace, GUARD, what + " backward regenerating in place");

            // From the forward's stored mask, placed at a nonzero offset among sentinel words.
            long[] mask = maskArray(n);
            d.mask(SEED, offset, mask, MASK_GUARD, n);
            dx = output(n);
            d.backward(mask, MASK_GUARD, dy, GUARD, dx, GUARD, n);
            assertRegion(expected, dx, GUARD, what + " backward from bits");
            inPlace = guarded(gradient);
            d.backward(mask, MASK_GUARD, inPlace, GUARD, inPlace, GUARD, n);
            assertRegion(expected, inPlace, GUARD, what + " backward from bits in place");

            // From arbitrary bits, garbage past the end included: bit ? dy * s : +0.0f, and +0.0f everywhere
            // when nothing is kept (no forward of this dropout can have set a bit).
            long[] arbitrary = maskArray(n);
            SplittableRandom random = new SplittableRandom(n);
            boolean[] bits = new boolean[n];
            for (int w = 0; w < Dropout.maskWords(n); w++) {
                arbitrary[MASK_GUARD + w] = random.nextLong();
            }
            for (int i = 0; i < n; i++) {
                bits[i] = d.threshold() > 0 && ((arbitrary[MASK_GUARD + (i >>> 6)] >>> i) & 1) != 0;
            }
            long[] before = arbitrary.clone();
            dx = output(n);
            d.backward(arbitrary, MASK_GUARD, dy, GUARD, dx, GUARD, n);
            assertRegion(expectedBits(bits, gradient, s), dx, GUARD, what + " backward from arbitrary bits");
            assertArrayEquals(before, arbitrary, what + ": backward must not write the mask");
        }
    }
}
