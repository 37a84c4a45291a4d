package dev.vecdrop;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link GaussianDropout} and {@link GaussianNoise}, which run the vector normal fill at whatever width this JVM
 * picked (the default leg's widest width; the scalar leg's reference), against their definitions (docs/mask-stream.md, "Gaussian
 * dropout and gaussian noise") computed element by element from the scalar reference {@link NormalStream#z}, bit
 * for bit: lengths around the block and vector edges, even and odd stream offsets, array offsets, in place and
 * not, and a tensor cut into calls at random points. Nothing outside the written range changes.
 */
@Tag("semantics")
class GaussianMatchesDefinitionTest {

    /**
     * Around every width's vector and fill step, and the normals' blocks (1,024; a block's last elements, fewer than
     * a fill step, are filled and combined after the fill's combining pass), and 2,048.
     */
    private static final int[] LENGTHS = {0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 511, 512, 513,
        1000, 1023, 1024, 1025, 2047, 2048, 2049};
    private static final long[] STREAM_OFFSETS = {0, 1, 2, 255, 256, 257, 1023, 1024, (1L << 40) + 1,
        Long.MAX_VALUE - 2100};
    private static final long[] SEEDS = {42, -1};
    private static final float SENTINEL = Float.intBitsToFloat(0x7fc0_dead);
    private static final double SENTINEL_DOUBLE = Double.longBitsToDouble(0x7ff8_0000_dead_beefL);

    private enum Op { DROPOUT_FORWARD, DROPOUT_BACKWARD, NOISE_FORWARD }

    private static final GaussianDropout DROPOUT = GaussianDropout.of(0.3);
    private static final GaussianNoise NOISE = GaussianNoise.of(0.7);

    private static float expected(Op op, long seed, long e, float x) {
        float z = NormalStream.z(seed, e);
        return op == Op.NOISE_FORWARD ? Math.fma(NOISE.stddevFloat(), z, x) : x * Math.fma(DROPOUT.sigma(), z, 1f);
    }

    private static double expected(Op op, long seed, long e, double x) {
        double z = NormalStream.z(seed, e);
        return op == Op.NOISE_FORWARD ? Math.fma(NOISE.stddev(), z, x) : x * Math.fma(DROPOUT.sigmaDouble(), z, 1.0);
    }

    private static void run(Op op, long seed, long e, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (op) {
            case DROPOUT_FORWARD -> DROPOUT.forward(seed, e, x, xOff, y, yOff, n);
            case DROPOUT_BACKWARD -> DROPOUT.backward(seed, e, x, xOff, y, yOff, n);
            case NOISE_FORWARD -> NOISE.forward(seed, e, x, xOff, y, yOff, n);
        }
    }

    private static void run(Op op, long seed, long e, double[] x, int xOff, double[] y, int yOff, int n) {
        switch (op) {
            case DROPOUT_FORWARD -> DROPOUT.forward(seed, e, x, xOff, y, yOff, n);
            case DROPOUT_BACKWARD -> DROPOUT.backward(seed, e, x, xOff, y, yOff, n);
            case NOISE_FORWARD -> NOISE.forward(seed, e, x, xOff, y, yOff, n);
        }
    }

    @Test
    void float32EveryEdgeMatchesTheDefinitionBitForBitInPlaceOrNot() {
        SplittableRandom random = new SplittableRandom(11);
        for (Op op : Op.values()) {
            for (long seed : SEEDS) {
                for (long e : STREAM_OFFSETS) {
                    for (int n : LENGTHS) {
                        int xOff = random.nextInt(3);
                        int yOff = random.nextInt(3);
                        float[] x = new float[xOff + n + 2];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) (random.nextDouble(-4, 4));
                        }
                        float[] y = new float[yOff + n + 2];
                        Arrays.fill(y, SENTINEL);
                        run(op, seed, e, x, xOff, y, yOff, n);
                        float[] inPlace = x.clone();
                        run(op, seed, e, inPlace, xOff, inPlace, xOff, n);
                        for (int i = 0; i < y.length; i++) {
                            boolean inside = i >= yOff && i < yOff + n;
                            float want = inside ? expected(op, seed, e + i - yOff, x[xOff + i - yOff]) : SENTINEL;
                            check(op + " float32 seed " + seed + " offset " + e + " n " + n + " y[" + i + "]",
                                    Integer.toUnsignedLong(Float.floatToRawIntBits(want)),
                                    Integer.toUnsignedLong(Float.floatToRawIntBits(y[i])));
                        }
                        for (int i = 0; i < x.length; i++) {
                            boolean inside = i >= xOff && i < xOff + n;
                            float want = inside ? expected(op, seed, e + i - xOff, x[i]) : x[i];
                            check(op + " float32 in place seed " + seed + " offset " + e + " n " + n + " [" + i + "]",
                                    Integer.toUnsignedLong(Float.floatToRawIntBits(want)),
                                    Integer.toUnsignedLong(Float.floatToRawIntBits(inPlace[i])));
                        }
                    }
                }
            }
        }
    }

    @Test
    void float64EveryEdgeMatchesTheDefinitionBitForBitInPlaceOrNot() {
        SplittableRandom random = new SplittableRandom(12);
        for (Op op : Op.values()) {
            for (long seed : SEEDS) {
                for (long e : STREAM_OFFSETS) {
                    for (int n : LENGTHS) {
                        int xOff = random.nextInt(3);
                        int yOff = random.nextInt(3);
                        double[] x = new double[xOff + n + 2];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = random.nextDouble(-4, 4);
                        }
                        double[] y = new double[yOff + n + 2];
                        Arrays.fill(y, SENTINEL_DOUBLE);
                        run(op, seed, e, x, xOff, y, yOff, n);
                        double[] inPlace = x.clone();
                        run(op, seed, e, inPlace, xOff, inPlace, xOff, n);
                        for (int i = 0; i < y.length; i++) {
                            boolean inside = i >= yOff && i < yOff + n;
                            double want = inside ? expected(op, seed, e + i - yOff, x[xOff + i - yOff])
                                    : SENTINEL_DOUBLE;
                            check(op + " float64 seed " + seed + " offset " + e + " n " + n + " y[" + i + "]",
                                    Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(y[i]));
                        }
                        for (int i = 0; i < x.length; i++) {
                            boolean inside = i >= xOff && i < xOff + n;
                            double want = inside ? expected(op, seed, e + i - xOff, x[i]) : x[i];
                            check(op + " float64 in place seed " + seed + " offset " + e + " n " + n + " [" + i + "]",
                                    Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(inPlace[i]));
                        }
                    }
                }
            }
        }
    }

    @Test
    void aTensorCutIntoCallsAtRandomPointsGivesTheOneCallResult() {
        SplittableRandom random = new SplittableRandom(13);
        int n = 5000;
        long e = 1_000_001;
        for (Op op : Op.values()) {
            float[] x = new float[n];
            double[] xd = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) random.nextDouble(-4, 4);
                xd[i] = x[i];
            }
            float[] whole = new float[n];
            double[] wholeD = new double[n];
            run(op, 5, e, x, 0, whole, 0, n);
            run(op, 5, e, xd, 0, wholeD, 0, n);
            float[] cut = new float[n];
            double[] cutD = new double[n];
            for (int i = 0; i < n; ) {
                int len = Math.min(n - i, random.nextInt(700));
                run(op, 5, e + i, x, i, cut, i, len);
                run(op, 5, e + i, xd, i, cutD, i, len);
                i += len;
            }
            for (int i = 0; i < n; i++) {
                check(op + " float32 cut, element " + i, Integer.toUnsignedLong(Float.floatToRawIntBits(whole[i])),
                        Integer.toUnsignedLong(Float.floatToRawIntBits(cut[i])));
                check(op + " float64 cut, element " + i, Double.doubleToRawLongBits(wholeD[i]),
                        Double.doubleToRawLongBits(cutD[i]));
            }
        }
    }

    private static void check(String where, long want, long got) {
        if (want != got) {
            throw new AssertionError(Vectorization.implementation() + ": " + where + ": expected bits "
                    + Long.toHexString(want) + ", got " + Long.toHexString(got));
        }
    }
}
