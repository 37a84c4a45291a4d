package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link NormalStream#fill}, which runs the vector version at whatever width this JVM picked or was forced to
 * (each leg of the ISA matrix), against the scalar reference {@link NormalStream#z}, bit for bit: every length
 * up to three vectors and one, even and odd stream offsets, array offsets, seeds at the edges, chunked calls.
 */
@Tag("matrix")
class NormalVectorMatchesScalarTest {

    /** The widest vector's float lanes, so every leg covers three of its own vectors and a tail. */
    private static final int MAX_LANES = 16;
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_dead);

    @Test
    void fillRunsTheVectorVersionExactlyWhenTheKernelsAreVector() {
        assertEquals(Vectorization.implementation(), NormalStream.fillImplementation());
    }

    @Test
    void everyLengthAndOffsetMatchesTheReferenceBitForBitAndWritesOnlyItsRange() {
        long[] seeds = {0, 42, -1, Long.MIN_VALUE, MaskStream.GOLDEN_GAMMA};
        long[] offsets = {0, 1, 2, 3, 17, (1L << 40) + 1, Long.MAX_VALUE - 3 * MAX_LANES - 2};
        for (long seed : seeds) {
            for (long offset : offsets) {
                for (int off = 0; off <= 3; off++) {
                    for (int len = 0; len <= 3 * MAX_LANES + 1; len++) {
                        float[] out = new float[off + len + 2];
                        Arrays.fill(out, SENTINEL);
                        NormalStream.fill(seed, offset, out, off, len);
                        for (int i = 0; i < out.length; i++) {
                            int expected = i >= off && i < off + len
                                    ? Float.floatToRawIntBits(NormalStream.z(seed, offset + i - off))
                                    : Float.floatToRawIntBits(SENTINEL);
                            if (Float.floatToRawIntBits(out[i]) != expected) {
                                throw new AssertionError(Vectorization.implementation() + ": seed " + seed
                                        + " offset " + offset + " off " + off + " len " + len + " index " + i
                                        + ": got " + out[i] + ", expected " + Float.intBitsToFloat(expected));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The gaussian layers' combinations inside the fill's last pass, called directly over more than two of the
     * fill's chunks (2,048 floats) with a scratch of one chunk: the layers call them a block (1,024) at a time, so
     * no layer test reaches a second chunk. Out of place and in place; the elements past the whole steps untouched.
     */
    @Test
    void theCombiningFillMatchesTheDefinitionOverSeveralChunks() {
        int n = 2 * 2048 + 3 * MAX_LANES + 5;
        float[] scratch = new float[2048];
        SplittableRandom random = new SplittableRandom(5);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        long seed = 1234;
        long start = 2L * 1_000_003; // even, as the layers pass it
        float c = 0.75f;
        for (boolean multiply : new boolean[] {true, false}) {
            for (boolean inPlace : new boolean[] {false, true}) {
                float[] y = inPlace ? x.clone() : new float[n];
                float[] in = inPlace ? y : x;
                if (!inPlace) {
                    Arrays.fill(y, SENTINEL);
                }
                int done = multiply
                        ? NormalStream.vectorMultiplyStream(seed, start, scratch, in, 0, y, 0, n, c)
                        : NormalStream.vectorAddStream(seed, start, scratch, in, 0, y, 0, n, c);
                String what = Vectorization.implementation() + (multiply ? " multiply" : " add")
                        + (inPlace ? " in place" : "");
                if (NormalStream.fillImplementation().equals("scalar")) {
                    assertEquals(0, done, what);
                    continue;
                }
                assertEquals(0, done % 2, what + ": whole pairs");
                assertTrue(done > n - 2 * MAX_LANES, what + ": whole steps, got " + done);
                for (int i = 0; i < n; i++) {
                    float z = NormalStream.z(seed, start + i);
                    float expected = i >= done ? (inPlace ? x[i] : SENTINEL)
                            : multiply ? x[i] * Math.fma(c, z, 1f) : Math.fma(c, z, x[i]);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), what + " at " + i);
                }
            }
        }
    }

    @Test
    void longRunsAndChunkedCallsMatchTheReferenceBitForBit() {
        SplittableRandom random = new SplittableRandom(99);
        int n = 10_000;
        for (long seed : new long[] {7, random.nextLong()}) {
            long offset = random.nextLong(1L << 50);
            float[] reference = new float[n];
            NormalStream.fillReference(seed, offset, reference, 0, n);
            float[] whole = new float[n];
            NormalStream.fill(seed, offset, whole, 0, n);
            float[] chunked = new float[n];
            for (int i = 0; i < n; ) {
                int len = Math.min(n - i, random.nextInt(200));
                NormalStream.fill(seed, offset + i, chunked, i, len);
                i += len;
            }
            for (int i = 0; i < n; i++) {
                int expected = Float.floatToRawIntBits(reference[i]);
                if (Float.floatToRawIntBits(whole[i]) != expected || Float.floatToRawIntBits(chunked[i]) != expected) {
                    throw new AssertionError(Vectorization.implementation() + ": seed " + seed + " offset " + offset
                            + " element " + i + ": whole " + whole[i] + ", chunked " + chunked[i]
                            + ", reference " + reference[i]);
                }
            }
        }
    }
}
