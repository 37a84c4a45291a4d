package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Alpha dropout against its definition (docs/mask-stream.md, "Alpha dropout"), written out here element by element
 * from {@link MaskStream#keep} and the coefficient formulas, on the active kernels (the default leg and the one without the vector module):
 * float32 and float64, arrays and segments, element-wise and per channel, every operation, compared by raw bits.
 */
@Tag("semantics")
class AlphaDropoutTest {

    /** The definition's constant, written out here rather than taken from the library. */
    private static final double ALPHA_PRIME = -1.7580993408473766;

    /** The ends that take shortcuts ({@code T = 2^32}: 0, MIN_VALUE, 2^-54; {@code T = 0}: the last two) and inside. */
    private static final double[] PROBABILITIES = {0.0, Double.MIN_VALUE, 0x1p-54, 1e-9, 0.1, 0.5, 0.9,
        Math.nextDown(1.0), 1 - 0x1p-33};

    /** The definition's coefficients in double: a, b, c, in the documented order. */
    static double[] coefficients(double p) {
        double a = 1.0 / Math.sqrt((1.0 - p) * (1.0 + p * (ALPHA_PRIME * ALPHA_PRIME)));
        double b = -a * ALPHA_PRIME * p;
        double c = a * ALPHA_PRIME + b;
        return new double[] {a, b, c};
    }

    /** Expected float32 outputs of the forward and the backward, element {@code i} deciding by {@code keep[i]}. */
    private static float[][] expectedFloats(double p, boolean[] keep, float[] x) {
        double[] k = coefficients(p);
        float a = (float) k[0], b = (float) k[1], c = (float) k[2];
        boolean copy = MaskStream.threshold(p) == MaskStream.KEEP_ALL && a == 1 && b == 0;
        float[] forward = new float[x.length], backward = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            forward[i] = copy ? x[i] : keep[i] ? x[i] * a + b : c;
            backward[i] = keep[i] ? (a == 1 ? x[i] : x[i] * a) : 0.0f;
        }
        return new float[][] {forward, backward};
    }

    private static double[][] expectedDoubles(double p, boolean[] keep, double[] x) {
        double[] k = coefficients(p);
        double a = k[0], b = k[1], c = k[2];
        boolean copy = MaskStream.threshold(p) == MaskStream.KEEP_ALL && a == 1 && b == 0;
        double[] forward = new double[x.length], backward = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            forward[i] = copy ? x[i] : keep[i] ? x[i] * a + b : c;
            backward[i] = keep[i] ? (a == 1 ? x[i] : x[i] * a) : 0.0;
        }
        return new double[][] {forward, backward};
    }

    /** Gaussians with NaNs (quiet and signalling), infinities, signed zeros and subnormals among them. */
    private static double[] inputs(SplittableRandom random, int n) {
        double[] special = {Double.NaN, Double.longBitsToDouble(0x7ff0_0000_0000_0001L), Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 0.0, -0.0, Double.MIN_VALUE, -Float.MIN_VALUE, 1e-40};
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(6) == 0 ? special[random.nextInt(special.length)] : random.nextGaussian() * 3;
        }
        return x;
    }

    @Test
    void everyElementwiseOperationMatchesTheDefinition() {
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            for (double p : PROBABILITIES) {
                Dropout d = Dropout.alpha(p);
                for (int n : new int[] {1, 67, 1000}) {
                    for (long offset : new long[] {0, 1, 1L << 40}) {
                        long seed = random.nextLong();
                        String at = d + " n=" + n + " offset=" + offset + " seed=" + seed;
                        double[] xd = inputs(random, n);
                        float[] x = new float[n];
                        boolean[] keep = new boolean[n];
                        long[] expectedMask = new long[Dropout.maskWords(n)];
                        for (int i = 0; i < n; i++) {
                            x[i] = (float) xd[i];
                            keep[i] = MaskStream.keep(seed, offset + i, MaskStream.threshold(p));
                            expectedMask[i >>> 6] |= (keep[i] ? 1L : 0L) << i;
                        }
                        float[][] e = expectedFloats(p, keep, x);
                        double[][] ed = expectedDoubles(p, keep, xd);
                        // The mask-stream contract: dropout's decisions for the same (seed, offset, p).
                        long[] dropoutMask = new long[expectedMask.length];
                        Dropout.inverted(p).mask(seed, offset, dropoutMask, 0, n);
                        assertArrayEquals(expectedMask, dropoutMask, at);

                        float[] y = new float[n];
                        long[] mask = new long[expectedMask.length];
                        d.forward(seed, offset, x, 0, y, 0, n);
                        assertArrayEquals(bits(e[0]), bits(y), "forward " + at);
                        Arrays.fill(y, 7);
                        d.forward(seed, offset, x, 0, y, 0, n, mask, 0);
                        assertArrayEquals(bits(e[0]), bits(y), "forward+mask " + at);
                        assertArrayEquals(expectedMask, mask, "mask " + at);
                        d.backward(seed, offset, x, 0, y, 0, n);
                        assertArrayEquals(bits(e[1]), bits(y), "backward by regeneration " + at);
                        Arrays.fill(y, 7);
                        d.backward(mask, 0, x, 0, y, 0, n);
                        assertArrayEquals(bits(e[1]), bits(y), "backward from bits " + at);
                        d.eval(x, 0, y, 0, n);
                        assertArrayEquals(bits(x), bits(y), "eval " + at);
                        float[] inPlace = x.clone();
                        d.forward(seed, offset, inPlace, 0, inPlace, 0, n);
                        assertArrayEquals(bits(e[0]), bits(inPlace), "forward in place " + at);

                        double[] yd = new double[n];
                        d.forward(seed, offset, xd, 0, yd, 0, n, mask, 0);
                        assertArrayEquals(bits(ed[0]), bits(yd), "float64 forward+mask " + at);
                        assertArrayEquals(expectedMask, mask, "float64 mask " + at);
                        d.backward(seed, offset, xd, 0, yd, 0, n);
                        assertArrayEquals(bits(ed[1]), bits(yd), "float64 backward by regeneration " + at);

                        MemorySegment xs = arena.allocate(4L * n + 1).asSlice(1);
                        MemorySegment ys = arena.allocate(4L * n + 1).asSlice(1);
                        MemorySegment ms = arena.allocate(8L * mask.length);
                        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, n);
                        d.floatSegments().forward(seed, offset, xs, 0, ys, 0, n, ms, 0);
                        assertArrayEquals(bits(e[0]), bits(ys.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)),
                                "native float32 segment forward+mask " + at);
                        assertArrayEquals(expectedMask, ms.toArray(ValueLayout.JAVA_LONG), "segment mask " + at);
                        MemorySegment xh = MemorySegment.ofArray(xd.clone()), yh = MemorySegment.ofArray(new double[n]);
                        d.doubleSegments().forward(seed, offset, xh, 0, yh, 0, n);
                        assertArrayEquals(bits(ed[0]), bits(yh.toArray(ValueLayout.JAVA_DOUBLE)),
                                "heap float64 segment forward " + at);
                    }
                }
            }
        }
    }

    @Test
    void perChannelIsFeatureAlphaDropoutInBothLayouts() {
        SplittableRandom random = new SplittableRandom(12);
        // {N, C, S}; {3, 40, 49} and {5, 300, 3} cross blocks of the short layouts' keep bits (4,096 elements).
        int[][] shapes = {{1, 1, 1}, {2, 3, 5}, {3, 64, 2}, {2, 65, 3}, {2, 7, 130}, {3, 40, 49}, {5, 300, 3}};
        for (int[] shape : shapes) {
            int samples = shape[0], channels = shape[1], positions = shape[2], n = samples * channels * positions;
            for (boolean first : new boolean[] {true, false}) {
                ChannelLayout layout = first ? ChannelLayout.channelsFirst(channels, positions)
                        : ChannelLayout.channelsLast(positions, channels);
                for (double p : new double[] {0.0, 0x1p-54, 0.3, 0.9, 1 - 0x1p-33}) {
                    Dropout d = Dropout.alpha(p).perChannel(layout);
                    long seed = random.nextLong();
                    long offset = random.nextInt(3) == 0 ? 1 : random.nextLong(1L << 40);
                    String at = d + " seed=" + seed + " offset=" + offset;
                    double[] xd = inputs(random, n);
                    float[] x = new float[n];
                    boolean[] keep = new boolean[n];
                    long[] expectedMask = new long[Dropout.maskWords(samples * channels)];
                    for (int i = 0; i < n; i++) {
                        x[i] = (float) xd[i];
                        int sample = i / (channels * positions);
                        int channel = first ? (i / positions) % channels : i % channels;
                        long decision = (long) sample * channels + channel;
                        keep[i] = MaskStream.keep(seed, offset + decision, MaskStream.threshold(p));
                        expectedMask[(int) (decision >>> 6)] |= (keep[i] ? 1L : 0L) << decision;
                    }
                    float[][] e = expectedFloats(p, keep, x);
                    double[][] ed = expectedDoubles(p, keep, xd);
                    float[] y = new float[n];
                    long[] mask = new long[expectedMask.length];
                    d.forward(seed, offset, x, 0, y, 0, n);
                    assertArrayEquals(bits(e[0]), bits(y), "forward " + at);
                    float[] xo = new float[n + 3];
                    float[] yo = new float[n + 5];
                    System.arraycopy(x, 0, xo, 3, n);
                    d.forward(seed, offset, xo, 3, yo, 5, n);
                    assertArrayEquals(bits(e[0]), bits(Arrays.copyOfRange(yo, 5, n + 5)), "forward at offsets " + at);
                    d.forward(seed, offset, x, 0, y, 0, n, mask, 0);
                    assertArrayEquals(bits(e[0]), bits(y), "forward+mask " + at);
                    assertArrayEquals(expectedMask, mask, "mask " + at);
                    d.backward(mask, 0, x, 0, y, 0, n);
                    assertArrayEquals(bits(e[1]), bits(y), "backward from bits " + at);
                    d.backward(seed, offset, x, 0, y, 0, n);
                    assertArrayEquals(bits(e[1]), bits(y), "backward by regeneration " + at);
                    double[] yd = new double[n];
                    d.forward(seed, offset, xd, 0, yd, 0, n);
                    assertArrayEquals(bits(ed[0]), bits(yd), "float64 forward " + at);
                    MemorySegment ys = MemorySegment.ofArray(new double[n]);
                    d.doubleSegments().forward(seed, offset, MemorySegment.ofArray(xd), 0, ys, 0, n);
                    assertArrayEquals(bits(ed[0]), bits(ys.toArray(ValueLayout.JAVA_DOUBLE)), "segment forward " + at);
                    MemorySegment yf = MemorySegment.ofArray(new float[n]);
                    d.floatSegments().forward(seed, offset, MemorySegment.ofArray(x), 0, yf, 0, n);
                    assertArrayEquals(bits(e[0]), bits(yf.toArray(ValueLayout.JAVA_FLOAT)),
                            "float32 segment forward " + at);
                }
            }
        }
    }

    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }

    static long[] bits(double[] a) {
        long[] b = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Double.doubleToRawLongBits(a[i]);
        }
        return b;
    }
}
