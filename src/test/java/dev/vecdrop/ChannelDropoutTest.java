package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Per-channel masks against the definition, written out here element by element from {@link MaskStream#keep}:
 * the decision of {@code (n, c)} is stream element {@code streamOffset + n * C + c}, applied to the channel's
 * {@code S} positions, in both layouts, on the active kernels (the default and the scalar leg), float32 and float64.
 */
@Tag("semantics")
class ChannelDropoutTest {

    /**
     * {@code {N, C, S}}. Channels-first runs under 128 and channels-last rows of up to 64 channels go through a
     * block's keep bits (4,096 elements a block): runs and rows that cross a block's end and a word's
     * ({@code {5, 300, 3}}, {@code {3, 40, 49}}, {@code {4, 9, 127}}), runs of 127, rows of 64; and the most
     * decisions a block uses, 4,096 runs of 1, and rows of 63 channels at one position whose block 62 starts at the
     * last channel of a sample (253,952 = 4,030 * 63 + 62), so its last element takes decision bit 4,157 of the
     * block's. Rows are written a word at a time from their sample's repeated decisions, whose phase advances by
     * {@code 64 % C} a word: samples of many words with {@code 64 % C} of 1 ({@code {2, 3, 700}}, a block starting at
     * phase 1), 0 ({@code {3, 16, 100}}) and 16 ({@code {3, 48, 30}}), and samples of under a word
     * ({@code {40, 5, 12}}) and just over one ({@code {30, 2, 33}}). Samples under 32 elements of at most 16 channels
     * go a vector at a time, their lanes' decisions in a window from the first lane's channel 0: blocks starting
     * mid-row ({@code {400, 3, 4}}, {@code {200, 7, 3}}: block 1 at channel 1), the widest windows: 16 channels, and
     * 15 channels, whose vectors start at channel 14 as
     * well (element 224: 29 bits on, the most a block reaches), and 22 channels, too wide for it
     * ({@code {50, 22, 1}}: a vector from channel 20 reaches 35 decisions on). A word of element bits whose
     * decisions all lie in 32 bits shares one window: samples of 2 rows of 3 and of 7 channels are words whose
     * decisions just do not ({@code {300, 3, 2}}: 32 bits on; {@code {200, 7, 2}}: 34).
     */
    private static final int[][] SHAPES = {{1, 1, 1}, {2, 3, 5}, {3, 64, 2}, {2, 65, 3}, {1, 130, 1}, {4, 7, 33},
            {2, 200, 17}, {1, 1, 100}, {5, 300, 3}, {1, 513, 2}, {3, 40, 49}, {4, 9, 127}, {1, 20, 128},
            {2, 64, 20}, {4100, 63, 1}, {2, 600, 1}, {2, 3, 700}, {3, 16, 100}, {3, 48, 30}, {40, 5, 12}, {30, 2, 33},
            {400, 3, 4}, {100, 16, 1}, {40, 15, 1}, {200, 7, 3}, {50, 22, 1}, {300, 3, 2}, {200, 7, 2}};

    @Test
    void everyOperationMatchesTheDefinitionInBothLayouts() {
        SplittableRandom random = new SplittableRandom(7);
        for (int[] shape : SHAPES) {
            int n = shape[0], c = shape[1], s = shape[2];
            for (boolean first : new boolean[] {true, false}) {
                ChannelLayout layout = first ? ChannelLayout.channelsFirst(c, s) : ChannelLayout.channelsLast(s, c);
                for (double p : new double[] {0.0, 0.3, 0.5, 0.9, 1.0}) {
                    for (Scaling scaling : new Scaling[] {Scaling.INVERTED, Scaling.CLASSIC}) { // alpha: AlphaDropoutTest
                        long seed = random.nextLong();
                        long offset = random.nextInt(3) == 0 ? 0 : random.nextLong(1L << 40);
                        check(Dropout.of(p, scaling).perChannel(layout), layout, n, seed, offset, random);
                    }
                }
            }
        }
    }

    private static void check(Dropout d, ChannelLayout layout, int n, long seed, long offset, SplittableRandom random) {
        int c = layout.channels(), s = layout.positions(), length = n * c * s;
        float[] x = new float[length + 3];
        double[] xd = new double[length + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
            xd[i] = random.nextGaussian();
        }
        float[] expected = new float[length + 3];
        double[] expectedD = new double[length + 3];
        long[] expectedMask = new long[Dropout.maskWords(n * c)];
        for (int i = 0; i < length; i++) {
            int sample = i / (c * s);
            int channel = layout.kind() == ChannelLayout.Kind.CHANNELS_FIRST ? (i / s) % c : i % c;
            long decision = (long) sample * c + channel;
            boolean keep = MaskStream.keep(seed, offset + decision, d.threshold());
            expected[i + 3] = keep ? (d.trainScale() == 1.0f ? x[i + 3] : x[i + 3] * d.trainScale()) : 0.0f;
            expectedD[i + 3] = keep ? (d.trainScaleDouble() == 1.0 ? xd[i + 3] : xd[i + 3] * d.trainScaleDouble()) : 0.0;
            if (keep) {
                expectedMask[(int) (decision >>> 6)] |= 1L << decision;
            }
        }
        String at = d + " n=" + n + " seed=" + seed + " offset=" + offset;
        float[] y = new float[length + 3];
        long[] mask = new long[expectedMask.length];
        d.forward(seed, offset, x, 3, y, 3, length);
        assertArrayEquals(expected, y, "forward " + at);
        java.util.Arrays.fill(y, 0);
        d.forward(seed, offset, x, 3, y, 3, length, mask, 0);
        assertArrayEquals(expected, y, "forward+mask " + at);
        assertArrayEquals(expectedMask, mask, "mask " + at);
        java.util.Arrays.fill(y, 0);
        d.backward(mask, 0, x, 3, y, 3, length);
        assertArrayEquals(expected, y, "backward from bits " + at);
        long[] shifted = new long[expectedMask.length + 1]; // the mask from word 1
        java.util.Arrays.fill(y, 0);
        d.forward(seed, offset, x, 3, y, 3, length, shifted, 1);
        assertArrayEquals(expected, y, "forward+mask at mask word 1 " + at);
        assertArrayEquals(expectedMask, java.util.Arrays.copyOfRange(shifted, 1, shifted.length), "mask at word 1 " + at);
        java.util.Arrays.fill(y, 0);
        d.backward(shifted, 1, x, 3, y, 3, length);
        assertArrayEquals(expected, y, "backward from bits at mask word 1 " + at);
        long[] maskOnly = new long[expectedMask.length];
        d.mask(seed, offset, maskOnly, 0, length);
        assertArrayEquals(expectedMask, maskOnly, "mask only " + at);

        double[] yd = new double[length + 3];
        d.backward(seed, offset, xd, 3, yd, 3, length);
        assertArrayEquals(expectedD, yd, "float64 backward by regeneration " + at);
        java.util.Arrays.fill(yd, 0);
        d.backward(mask, 0, xd, 3, yd, 3, length);
        assertArrayEquals(expectedD, yd, "float64 backward from the float32 forward's bits " + at);

        MemorySegment xs = MemorySegment.ofArray(x), ys = MemorySegment.ofArray(new float[length + 3]);
        MemorySegment ms = MemorySegment.ofArray(new long[expectedMask.length]);
        d.floatSegments().forward(seed, offset, xs, 3, ys, 3, length, ms, 0);
        assertArrayEquals(expected, ys.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT), "segment forward " + at);
        assertArrayEquals(expectedMask, ms.toArray(java.lang.foreign.ValueLayout.JAVA_LONG), "segment mask " + at);
        MemorySegment ys2 = MemorySegment.ofArray(new float[length + 3]);
        d.floatSegments().forward(seed, offset, xs, 3, ys2, 3, length);
        assertArrayEquals(expected, ys2.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT),
                "segment forward, no mask " + at);
        try (Arena arena = Arena.ofConfined()) { // native segments: the kernels' other carrier
            MemorySegment xn = arena.allocate(8L * (length + 3), 8), yn = arena.allocate(8L * (length + 3), 8);
            MemorySegment.copy(MemorySegment.ofArray(xd), 0, xn, 0, 8L * (length + 3));
            d.doubleSegments().backward(seed, offset, xn, 3, yn, 3, length);
            assertArrayEquals(java.util.Arrays.copyOfRange(expectedD, 3, length + 3),
                    java.util.Arrays.copyOfRange(yn.toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE), 3, length + 3),
                    "native float64 segment backward by regeneration " + at);
        }
    }

    @Test
    void oneChannelOfOnePositionIsElementwiseDropout() {
        float[] x = new float[1000];
        java.util.Arrays.setAll(new double[0], i -> i);
        for (int i = 0; i < x.length; i++) {
            x[i] = i - 500.5f;
        }
        for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.channelsFirst(10, 1),
                ChannelLayout.channelsLast(1, 10)}) {
            float[] a = new float[1000], b = new float[1000];
            Dropout.inverted(0.4).forward(9, 77, x, 0, a, 0, 1000);
            Dropout.inverted(0.4).perChannel(layout).forward(9, 77, x, 0, b, 0, 1000);
            assertArrayEquals(a, b, layout.toString());
        }
    }

    /**
     * A sample of {@code C * S} elements past {@code Integer.MAX_VALUE} (here {@code 2^32}, which wraps to 0 in
     * {@code int}): an array call can only be empty, and it is valid, in every form. The array forms divided by the
     * sample length computed in {@code int} and threw {@code ArithmeticException} (found in stop 30).
     */
    @Test
    void anEmptyCallOverSamplesLongerThanAnIntIsValid() {
        for (Dropout dropout : new Dropout[] {Dropout.inverted(0.5), Dropout.classic(0.5), Dropout.alpha(0.5)}) {
            Dropout d = dropout.perChannel(ChannelLayout.channelsLast(1 << 24, 256));
            float[] x = {1, 2, 3, 4};
            float[] y = new float[4];
            double[] xd = {1, 2, 3, 4};
            double[] yd = new double[4];
            long[] mask = {-1};
            d.forward(1, 0, x, 0, y, 0, 0);
            d.forward(1, 0, x, 0, y, 0, 0, mask, 0);
            d.backward(1, 0, x, 0, y, 0, 0);
            d.backward(mask, 0, x, 0, y, 0, 0);
            d.forward(1, 0, xd, 0, yd, 0, 0);
            d.forward(1, 0, xd, 0, yd, 0, 0, mask, 0);
            d.backward(1, 0, xd, 0, yd, 0, 0);
            d.backward(mask, 0, xd, 0, yd, 0, 0);
            assertArrayEquals(new float[4], y, d.toString());
            assertArrayEquals(new double[4], yd, d.toString());
            assertEquals(-1, mask[0], d.toString());
        }
    }

    @Test
    void badShapesAreRejectedBeforeAnythingIsWritten() {
        Dropout d = Dropout.inverted(0.5).perChannel(ChannelLayout.channelsFirst(4, 3));
        float[] x = new float[24], y = new float[24];
        y[0] = 42;
        assertThrows(IllegalArgumentException.class, () -> d.forward(1, 0, x, 0, y, 0, 13));
        assertThrows(IndexOutOfBoundsException.class, () -> d.forward(1, 0, x, 0, y, 0, 24, new long[0], 0));
        assertThrows(IllegalArgumentException.class, () -> d.mask(1, 0, new long[1], 0, 10));
        assertEquals(42, y[0]);
        assertThrows(IllegalArgumentException.class, () -> ChannelLayout.channelsFirst(0, 3));
        assertThrows(IllegalArgumentException.class, () -> ChannelLayout.channelsLast(3, 0));
        assertThrows(IllegalArgumentException.class, () -> DropConnect.of(d)); // weights: element by element
        // ParallelDropout and DropoutLayer take it, and reject part samples as the single call does.
        assertThrows(IllegalArgumentException.class,
                () -> ParallelDropout.of(d, Runnable::run, 2).forward(1, 0, x, 0, y, 0, 13));
        assertThrows(IllegalArgumentException.class, () -> new DropoutLayer(d, 1).forward(x, 0, y, 0, 13));
        assertEquals(42, y[0]);
        // A stored mask holds N * C bits: 2 samples of 4 channels fit one word, whatever S.
        d.forward(1, Long.MAX_VALUE - 8, x, 0, y, 0, 24, new long[1], 0);
        assertThrows(IllegalArgumentException.class, () -> d.forward(1, Long.MAX_VALUE - 7, x, 0, y, 0, 24));
    }
}
