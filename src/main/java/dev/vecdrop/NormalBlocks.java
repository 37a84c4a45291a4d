package dev.vecdrop;

/**
 * The loops behind {@link GaussianDropout} and {@link GaussianNoise}. Where the selected kernels are vector ones,
 * a float32 call's whole vector steps run on the normal stream's vector loop ({@code PanamaNormals.multiply} and
 * {@code add}): each step's normals are used in registers as soon as they are made, one pass over memory (at 16M
 * elements 2.4 ns per element against 3.2 for the block path below, whose fill and multiply alternate between
 * computing and streaming). Everything else (float64, the scalar path, and a float32 call's odd first element and last few
 * elements) runs in blocks of {@value #BLOCK} elements: each block's normals {@code z(seed, e)} are written by the
 * normal fill into a per-thread scratch block that stays in L1, then a plain loop combines them with the block of
 * {@code x}. That loop is ordinary Java, so every element's value is fixed by Java's strict IEEE semantics whether
 * or not C2's SuperWord vectorizes it; the vector step does the same operations ({@code fma}, then the multiply or
 * nothing) lane by lane, so the values are the definition's on every path.
 *
 * <p>Blocks and steps start at even stream elements (an odd start does its first element alone), so every block
 * but the last is whole Box-Muller pairs and whole vectors of the fill, with no scalar tail.
 *
 * <p>Arguments are not checked here: the callers have checked them. In place ({@code y == x}, same offset) is
 * safe: element {@code i} is read before it is written and nothing else reads it.
 *
 * <p>Thread-safety: stateless but for the per-thread scratch. Allocation: one {@value #BLOCK}-float array per
 * thread, on that thread's first call (a virtual thread is a thread here: each gets its own, 1 KiB); none after.
 */
final class NormalBlocks {

    /** Elements per block: 1 KiB of normals, a multiple of every vector width's lanes. */
    static final int BLOCK = 256;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);

    private NormalBlocks() {}

    /** This thread's scratch block of {@value #BLOCK} floats (made on its first call). */
    static float[] scratch() {
        return SCRATCH.get();
    }

    /** {@code y[i] = x[i] * fma(sigma, z(seed, e + i), 1f)}. */
    static void multiply(long seed, long e, float[] x, int xOff, float[] y, int yOff, int n, float sigma) {
        if (n == 0) {
            return;
        }
        int i = 0;
        if ((e & 1) != 0) { // an odd start would put every block across a pair: the first element alone
            y[yOff] = x[xOff] * Math.fma(sigma, NormalStream.z(seed, e), 1f);
            i = 1;
        }
        i += NormalStream.vectorMultiply(seed, e + i, x, xOff + i, y, yOff + i, n - i, sigma);
        float[] z = SCRATCH.get();
        while (i < n) {
            int len = Math.min(BLOCK, n - i);
            NormalStream.fillUnchecked(seed, e + i, z, 0, len);
            int xi = xOff + i;
            int yi = yOff + i;
            for (int j = 0; j < len; j++) {
                y[yi + j] = x[xi + j] * Math.fma(sigma, z[j], 1f);
            }
            i += len;
        }
    }

    /** {@code y[i] = x[i] * fma(sigma, (double) z(seed, e + i), 1.0)}. */
    static void multiply(long seed, long e, double[] x, int xOff, double[] y, int yOff, int n, double sigma) {
        if (n == 0) {
            return;
        }
        int i = 0;
        if ((e & 1) != 0) {
            y[yOff] = x[xOff] * Math.fma(sigma, (double) NormalStream.z(seed, e), 1.0);
            i = 1;
        }
        float[] z = SCRATCH.get();
        while (i < n) {
            int len = Math.min(BLOCK, n - i);
            NormalStream.fillUnchecked(seed, e + i, z, 0, len);
            int xi = xOff + i;
            int yi = yOff + i;
            for (int j = 0; j < len; j++) {
                y[yi + j] = x[xi + j] * Math.fma(sigma, (double) z[j], 1.0);
            }
            i += len;
        }
    }

    /** {@code y[i] = fma(stddev, z(seed, e + i), x[i])}. */
    static void add(long seed, long e, float[] x, int xOff, float[] y, int yOff, int n, float stddev) {
        if (n == 0) {
            return;
        }
        int i = 0;
        if ((e & 1) != 0) {
            y[yOff] = Math.fma(stddev, NormalStream.z(seed, e), x[xOff]);
            i = 1;
        }
        i += NormalStream.vectorAdd(seed, e + i, x, xOff + i, y, yOff + i, n - i, stddev);
        float[] z = SCRATCH.get();
        while (i < n) {
            int len = Math.min(BLOCK, n - i);
            NormalStream.fillUnchecked(seed, e + i, z, 0, len);
            int xi = xOff + i;
            int yi = yOff + i;
            for (int j = 0; j < len; j++) {
                y[yi + j] = Math.fma(stddev, z[j], x[xi + j]);
            }
            i += len;
        }
    }

    /** {@code y[i] = fma(stddev, (double) z(seed, e + i), x[i])}. */
    static void add(long seed, long e, double[] x, int xOff, double[] y, int yOff, int n, double stddev) {
        if (n == 0) {
            return;
        }
        int i = 0;
        if ((e & 1) != 0) {
            y[yOff] = Math.fma(stddev, (double) NormalStream.z(seed, e), x[xOff]);
            i = 1;
        }
        float[] z = SCRATCH.get();
        while (i < n) {
            int len = Math.min(BLOCK, n - i);
            NormalStream.fillUnchecked(seed, e + i, z, 0, len);
            int xi = xOff + i;
            int yi = yOff + i;
            for (int j = 0; j < len; j++) {
                y[yi + j] = Math.fma(stddev, (double) z[j], x[xi + j]);
            }
            i += len;
        }
    }

    /** The training calls' checks, in {@link Dropout}'s order, before anything is written. */
    static void check(long streamOffset, String inName, float[] in, int inOffset, String outName, float[] out,
                      int outOffset, int length) {
        FloatArrayDropout.checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        Checks.stream(streamOffset, length);
    }

    /** The float64 training calls' checks. */
    static void check(long streamOffset, String inName, double[] in, int inOffset, String outName, double[] out,
                      int outOffset, int length) {
        DoubleArrayDropout.checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        Checks.stream(streamOffset, length);
    }

    /** Eval and identity backward: checked, then {@code y = x} (a copy; nothing when in place). */
    static void identity(String xName, float[] x, int xOffset, String yName, float[] y, int yOffset, int length) {
        FloatArrayDropout.checkRegions(xName, x, xOffset, yName, y, yOffset, length);
        if (x != y || xOffset != yOffset) {
            System.arraycopy(x, xOffset, y, yOffset, length);
        }
    }

    /** The float64 identity. */
    static void identity(String xName, double[] x, int xOffset, String yName, double[] y, int yOffset, int length) {
        DoubleArrayDropout.checkRegions(xName, x, xOffset, yName, y, yOffset, length);
        if (x != y || xOffset != yOffset) {
            System.arraycopy(x, xOffset, y, yOffset, length);
        }
    }
}
