package dev.vecdrop;

import static dev.vecdrop.kernel.NormalCoefficients.*;

import dev.vecdrop.kernel.KernelSelector;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;

/**
 * The normal stream, version 1 (docs/mask-stream.md, "Normal stream, version 1"): element {@code e}'s standard
 * normal {@code z(seed, e)} as a pure function of {@code (seed, e)}, from the mask stream's SplitMix64 words.
 *
 * <p>Elements {@code 2j} and {@code 2j + 1} are the two values of one Box-Muller pair made from
 * {@code word(seed, j)}: its low half gives the radius {@code r = sqrt(-2 ln u1)}, its high half the angle
 * {@code theta}, and {@code z(seed, 2j) = r cos(theta)}, {@code z(seed, 2j + 1) = r sin(theta)}. The logarithm and
 * the cosine are fixed float32 polynomials evaluated with operations IEEE 754 rounds exactly (no {@code Math.log},
 * {@code Math.cos}), in a fixed order, so the value is the same bit for bit on every JVM, ISA and vector width.
 * Float64 users take {@code (double) z}.
 *
 * <p>This class is the scalar reference, written straight from the contract. {@link #fill} runs the vector
 * version (bit-identical to {@link #z}) when the dropout kernels this JVM selected are vector ones.
 *
 * <p>Thread-safety: stateless, all methods are pure. Allocation: none by {@link #z}; none by {@link #fill} once C2
 * has compiled the vector fill. Before that the Vector API boxes every vector: in a fresh JVM the first 10^7 values
 * took 12 s on a busy 2-core VM, against 0.4 s for the scalar reference and 35-90 ms once compiled.
 */
public final class NormalStream {

    /** The contract's version; a change to any bit of {@link #z} would be a new version. */
    public static final int VERSION = 1;

    /**
     * The largest {@code |z|} the transform can produce, {@code 0x1.aa449ap2f} (6.660437): the radius at the
     * smallest {@code u1 = 2^-32}, {@code RN(sqrt(64 ln 2))}, times the polynomial cosine at angle 0, exactly 1.
     */
    public static final float MAX_ABS = 0x1.aa449ap2f;

    private NormalStream() {}

    /**
     * The standard normal value of element {@code e} of the stream of {@code seed}.
     *
     * @param seed the seed of the stream
     * @param e    the element, {@code >= 0}
     * @return {@code z(seed, e)}, in {@code [-MAX_ABS, MAX_ABS]}
     */
    public static float z(long seed, long e) {
        long w = MaskStream.word(seed, e >>> 1);
        // Odd elements turn the angle back a quarter: cos(theta - pi/2) = sin(theta).
        return fromHalves((int) w, (int) (w >>> 32) - ((int) e & 1) * QUARTER_TURN);
    }

    /** {@code radius(lo) * cosine(angle)}: the contract's transform of one (already turned) pair of halves. */
    static float fromHalves(int lo, int angle) {
        float r = radius(lo);
        int t = angle >>> 6; // 26 bits: theta = 2 pi t / 2^26
        int centred = t + (1 << 23);
        int quadrant = (centred >>> 24) & 3; // theta = quadrant * pi/2 + pi/4 * x
        float x = (float) ((centred & 0xffffff) - (1 << 23)) * 0x1p-23f; // exact: |d| <= 2^23
        float trig = trigOfQuadrant(quadrant, x);
        return r * trig;
    }

    /** {@code cos(quadrant * pi/2 + pi/4 * x)} from the two polynomials, by the quadrant's symmetry. */
    static float trigOfQuadrant(int quadrant, float x) {
        float x2 = x * x;
        float c = Math.fma(x2, Math.fma(x2, Math.fma(x2, Math.fma(x2, COS_C4, COS_C3), COS_C2), COS_C1), 1f);
        float s = x * Math.fma(x2, Math.fma(x2, Math.fma(x2, SIN_S3, SIN_S2), SIN_S1), SIN_S0);
        float t = (quadrant & 1) == 0 ? c : s;
        // Quadrants 1 and 2 are negative: flip the sign bit (exact).
        return Float.intBitsToFloat(Float.floatToRawIntBits(t) ^ (((quadrant + 1) & 2) << 30));
    }

    /** {@code sqrt(-2 ln u1)} with {@code u1 = RN((lo | 1) / 2^32)}, the uniform in {@code (0, 1]}. */
    static float radius(int lo) {
        return (float) Math.sqrt(log(uniformOpenZero(lo)) * -2f);
    }

    /** {@code RN((lo | 1) / 2^32)} (unsigned {@code lo}): one rounding, in {@code [2^-32, 1]}. */
    static float uniformOpenZero(int lo) {
        int v = lo | 1;
        return Math.fma((float) (v >>> 16), 0x1p-16f, (float) (v & 0xffff) * 0x1p-32f);
    }

    /** The contract's natural logarithm of a positive normal float (the stream uses it on {@code [2^-32, 1]}). */
    static float log(float u) {
        int ix = Float.floatToRawIntBits(u) - SQRT_HALF_BITS;
        float k = (float) (ix >> 23);
        float f = Float.intBitsToFloat((ix & 0x7fffff) + SQRT_HALF_BITS) - 1f; // exact (Sterbenz)
        float s = f / (2f + f);
        float y = s * s;
        float r = y * Math.fma(Math.fma(LOG_P3, y, LOG_P2), y, LOG_P1);
        float h = 0.5f * f * f;
        float lnm = f + Math.fma(s, h + r, -h);
        return Math.fma(k, LN2_HI, Math.fma(k, LN2_LO, lnm));
    }

    /**
     * Writes {@code z(seed, offset + i)} to {@code out[off + i]} for {@code i} in {@code [0, len)}. Arguments are
     * checked before anything is written.
     *
     * @param seed   the seed of the stream
     * @param offset the stream element of {@code out[off]}
     * @param out    where the values go
     * @param off    the first index written
     * @param len    how many values
     * @throws IllegalArgumentException  if {@code len < 0} or {@code offset} is outside {@code [0, 2^63 - 1 - len]}
     * @throws NullPointerException      if {@code out} is null
     * @throws IndexOutOfBoundsException if {@code [off, off + len)} is not inside {@code out}
     */
    public static void fill(long seed, long offset, float[] out, int off, int len) {
        Checks.length(len);
        Checks.region("out", out, off, len);
        Checks.stream(offset, len);
        fillUnchecked(seed, offset, out, off, len);
    }

    /**
     * {@link #fill} without its checks, for callers that have checked (the gaussian layers' blocks): the vector
     * version where the selected kernels are vector ones, else the scalar reference.
     */
    static void fillUnchecked(long seed, long offset, float[] out, int off, int len) {
        MethodHandle vector = Vector.FILL;
        if (vector == null) {
            fillReference(seed, offset, out, off, len);
            return;
        }
        try {
            vector.invokeExact(seed, offset, out, off, len);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * Gaussian dropout's float32 combination of a block of normals {@code z} with its input,
     * {@code y[i] = x[i] * fma(sigma, z[i], 1f)}, on the Vector API where the selected kernels are vector ones: the
     * whole vectors of {@code len} elements. Returns how many elements it did; 0 on the scalar path, where the
     * caller's loop does all.
     */
    static int vectorMultiply(float[] z, int zOff, float[] x, int xOff, float[] y, int yOff, int len, float sigma) {
        return vectorCombine(Vector.MULTIPLY, z, zOff, x, xOff, y, yOff, len, sigma);
    }

    /** Gaussian noise's float32 combination, {@code y[i] = fma(stddev, z[i], x[i])}, as {@link #vectorMultiply}. */
    static int vectorAdd(float[] z, int zOff, float[] x, int xOff, float[] y, int yOff, int len, float stddev) {
        return vectorCombine(Vector.ADD, z, zOff, x, xOff, y, yOff, len, stddev);
    }

    /**
     * Gaussian dropout's float32 forward (and backward) on the normals as the vector fill makes them,
     * {@code y[i] = x[i] * fma(sigma, z(seed, e + i), 1f)} from an even {@code e}, with the fill's scratch {@code w}
     * (at least {@code min(len, 2048)} floats): the whole steps of {@code len} elements, the fill's last pass doing
     * the multiply. Returns how many elements it did; 0 on the scalar path, where the caller does all.
     */
    static int vectorMultiplyStream(long seed, long e, float[] w, float[] x, int xOff, float[] y, int yOff, int len,
                                    float sigma) {
        return vectorCombineStream(Vector.STORE_MULTIPLY, seed, e, w, x, xOff, y, yOff, len, sigma);
    }

    /**
     * Gaussian noise's float32 forward, {@code y[i] = fma(stddev, z(seed, e + i), x[i])}, as
     * {@link #vectorMultiplyStream}.
     */
    static int vectorAddStream(long seed, long e, float[] w, float[] x, int xOff, float[] y, int yOff, int len,
                               float stddev) {
        return vectorCombineStream(Vector.STORE_ADD, seed, e, w, x, xOff, y, yOff, len, stddev);
    }

    private static int vectorCombineStream(MethodHandle vector, long seed, long start, float[] w, float[] x, int xOff,
                                           float[] y, int yOff, int len, float coefficient) {
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(seed, start, w, 0, x, xOff, y, yOff, len, coefficient);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * Gaussian dropout's float64 combination of a block of normals with its input,
     * {@code y[i] = x[i] * fma(sigma, (double) z[i], 1.0)}, as {@link #vectorMultiply}.
     */
    static int vectorMultiply(float[] z, int zOff, double[] x, int xOff, double[] y, int yOff, int len,
                              double sigma) {
        return vectorCombine(Vector.MULTIPLY_DOUBLE, z, zOff, x, xOff, y, yOff, len, sigma);
    }

    /**
     * Gaussian noise's float64 combination, {@code y[i] = fma(stddev, (double) z[i], x[i])}, as
     * {@link #vectorMultiply}.
     */
    static int vectorAdd(float[] z, int zOff, double[] x, int xOff, double[] y, int yOff, int len, double stddev) {
        return vectorCombine(Vector.ADD_DOUBLE, z, zOff, x, xOff, y, yOff, len, stddev);
    }

    /**
     * Per-channel gaussian noise over a run with one normal, {@code y[i] = fma(stddev, z, x[i])}, on the Vector API
     * where the selected kernels are vector ones: the whole vectors of {@code len} elements. Returns how many
     * elements it did; 0 on the scalar path.
     */
    static int vectorAddRun(float stddev, float z, float[] x, int xOff, float[] y, int yOff, int len) {
        MethodHandle vector = Vector.ADD_RUN;
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(stddev, z, x, xOff, y, yOff, len);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * Per-channel gaussian dropout over {@code rows} whole rows of {@code channels} elements of a channels-last
     * sample whose normals are {@code z[zOff, zOff + channels)}: {@code y[r C + j] = x[r C + j] * fma(sigma, z[j],
     * 1f)}, on the Vector API. Returns the rows done: all of them, or 0 on the scalar path or when {@code channels}
     * is not a multiple of the vector's lanes (nothing written; the caller does them).
     */
    static int vectorMultiplyRows(float[] z, int zOff, int channels, float[] x, int xOff, float[] y, int yOff,
                                  int rows, float sigma) {
        return vectorRepeating(Vector.MULTIPLY_ROWS, z, zOff, channels, x, xOff, y, yOff, rows, sigma);
    }

    /**
     * Per-channel gaussian dropout over {@code runs} whole channels-first runs of {@code positions} elements, run
     * {@code q}'s normal {@code z[zOff + q]}: {@code y[q S + k] = x[q S + k] * fma(sigma, z[q], 1f)}, on the Vector
     * API. Returns the runs done: all of them, or 0 on the scalar path or when {@code positions} is not a multiple
     * of the vector's lanes (nothing written; the caller does them).
     */
    static int vectorMultiplyRuns(float[] z, int zOff, int positions, float[] x, int xOff, float[] y, int yOff,
                                  int runs, float sigma) {
        return vectorRepeating(Vector.MULTIPLY_RUNS, z, zOff, positions, x, xOff, y, yOff, runs, sigma);
    }

    /** Per-channel gaussian noise's runs, {@code y[q S + k] = fma(stddev, z[q], x[q S + k])}, as the dropout's. */
    static int vectorAddRuns(float[] z, int zOff, int positions, float[] x, int xOff, float[] y, int yOff, int runs,
                             float stddev) {
        return vectorRepeating(Vector.ADD_RUNS, z, zOff, positions, x, xOff, y, yOff, runs, stddev);
    }

    /** Per-channel gaussian noise's rows, {@code y[r C + j] = fma(stddev, z[j], x[r C + j])}, as the dropout's. */
    static int vectorAddRows(float[] z, int zOff, int channels, float[] x, int xOff, float[] y, int yOff, int rows,
                             float stddev) {
        return vectorRepeating(Vector.ADD_ROWS, z, zOff, channels, x, xOff, y, yOff, rows, stddev);
    }

    /** The rows and runs kernels: {@code count} periods of {@code period} elements. */
    private static int vectorRepeating(MethodHandle vector, float[] z, int zOff, int period, float[] x, int xOff,
                                       float[] y, int yOff, int count, float coefficient) {
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(z, zOff, period, x, xOff, y, yOff, count, coefficient);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * Per-channel layouts' normals laid out over their elements, {@code out[j] = z[zOff + decisionOf[from + j]]}, on the
     * Vector API (a gather a vector). Returns how many elements it did, whole vectors; 0 on the scalar path.
     */
    static int vectorGather(float[] z, int zOff, int[] decisionOf, int from, float[] out, int len) {
        MethodHandle vector = Vector.GATHER;
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(z, zOff, decisionOf, from, out, len);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * {@link #vectorGather} where each vector's normals lie in one or two vectors of {@code z}
     * ({@link #vectorSpreadVectors}): channels-first runs ({@code channels} 1, one vector) and channels-last samples
     * of {@code C} channels. A permute a vector. Returns how many elements it did, whole vectors; 0 on the scalar
     * path.
     */
    static int vectorSpread(float[] z, int zOff, int[] decisionOf, int from, int channels, int vectors, float[] out,
                            int len) {
        if (Vector.SPREAD_RUNS == null) {
            return 0;
        }
        try {
            // Runs keep their own method: one loop for both cost mixed-shape JVMs 10-15% on runs (stop 28).
            if (channels == 1) {
                return (int) Vector.SPREAD_RUNS.invokeExact(z, zOff, decisionOf, from, out, len);
            }
            return vectors == 1
                    ? (int) Vector.SPREAD_SAMPLES.invokeExact(z, zOff, decisionOf, from, channels, out, len)
                    : (int) Vector.SPREAD_SAMPLES_WIDE.invokeExact(z, zOff, decisionOf, from, channels, out, len);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * How many vectors of normals each vector of channels-last samples of {@code channels} channels over
     * {@code period} elements reads at this JVM's lanes, 1 or 2, for {@link #vectorSpread}; 0 where more (a gather)
     * and on the scalar path.
     */
    static int vectorSpreadVectors(int channels, int period) {
        MethodHandle vector = Vector.SPREAD_VECTORS;
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(channels, period);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /**
     * Per-channel gaussian dropout, the normals spread (as {@link #vectorSpread}) and combined in one pass:
     * {@code y[j] = x[j] * fma(sigma, z[zOff + decisionOf[from + j]], 1f)}, on the Vector API. Returns how many
     * elements it did, whole vectors; 0 on the scalar path.
     */
    static int vectorMultiplySpread(float[] z, int zOff, int[] decisionOf, int from, int channels, int vectors,
                                    float[] x, int xOff, float[] y, int yOff, int len, float sigma) {
        return vectorSpreadCombine(Vector.MULTIPLY_SPREAD_RUNS, Vector.MULTIPLY_SPREAD_SAMPLES,
                Vector.MULTIPLY_SPREAD_SAMPLES_WIDE, z, zOff, decisionOf, from, channels, vectors, x, xOff, y, yOff, len,
                sigma);
    }

    /** Per-channel gaussian noise's, {@code y[j] = fma(stddev, z[zOff + decisionOf[from + j]], x[j])}, as the dropout's. */
    static int vectorAddSpread(float[] z, int zOff, int[] decisionOf, int from, int channels, int vectors, float[] x,
                               int xOff, float[] y, int yOff, int len, float stddev) {
        return vectorSpreadCombine(Vector.ADD_SPREAD_RUNS, Vector.ADD_SPREAD_SAMPLES, Vector.ADD_SPREAD_SAMPLES_WIDE,
                z, zOff, decisionOf, from, channels, vectors, x, xOff, y, yOff, len, stddev);
    }

    /** Runs, samples in one vector of normals or in two: each handle invoked on its own, a constant once inlined. */
    private static int vectorSpreadCombine(MethodHandle runs, MethodHandle samples, MethodHandle wide, float[] z,
                                           int zOff, int[] decisionOf, int from, int channels, int vectors, float[] x,
                                           int xOff, float[] y, int yOff, int len, float coefficient) {
        if (runs == null) {
            return 0;
        }
        try {
            if (channels == 1) {
                return (int) runs.invokeExact(z, zOff, decisionOf, from, x, xOff, y, yOff, len, coefficient);
            }
            return vectors == 1
                    ? (int) samples.invokeExact(z, zOff, decisionOf, from, channels, x, xOff, y, yOff, len, coefficient)
                    : (int) wide.invokeExact(z, zOff, decisionOf, from, channels, x, xOff, y, yOff, len, coefficient);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /** {@link #vectorAddRun} in float64: {@code y[i] = fma(stddev, z, x[i])}. */
    static int vectorAddRun(double stddev, double z, double[] x, int xOff, double[] y, int yOff, int len) {
        MethodHandle vector = Vector.ADD_RUN_DOUBLE;
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(stddev, z, x, xOff, y, yOff, len);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    private static int vectorCombine(MethodHandle vector, float[] z, int zOff, double[] x, int xOff, double[] y,
                                     int yOff, int len, double coefficient) {
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(z, zOff, x, xOff, y, yOff, len, coefficient);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    private static int vectorCombine(MethodHandle vector, float[] z, int zOff, float[] x, int xOff, float[] y,
                                     int yOff, int len, float coefficient) {
        if (vector == null) {
            return 0;
        }
        try {
            return (int) vector.invokeExact(z, zOff, x, xOff, y, yOff, len, coefficient);
        } catch (Throwable t) {
            throw VectorMethods.unchecked(t);
        }
    }

    /** {@link #fill} by the scalar reference, unchecked: for the vector version's tails and for tests. */
    static void fillReference(long seed, long offset, float[] out, int off, int len) {
        for (int i = 0; i < len; i++) {
            out[off + i] = z(seed, offset + i);
        }
    }

    /** {@code "vector-<bits>"} or {@code "scalar"}: what {@link #fill} runs in this JVM. */
    static String fillImplementation() {
        return Vector.FILL == null ? "scalar" : "vector-" + KernelSelector.kernels().vectorBitSize();
    }

    /**
     * Lazy holder of the vector fill, loaded reflectively (as the selector loads the vector kernels) so the
     * library links without {@code jdk.incubator.vector}; a {@code static final} handle, so C2 inlines it.
     */
    private static final class Vector {
        private static final MethodType COMBINE = MethodType.methodType(int.class, float[].class, int.class,
                float[].class, int.class, float[].class, int.class, int.class, float.class);
        static final MethodHandle FILL = load("fill", MethodType.methodType(void.class,
                long.class, long.class, float[].class, int.class, int.class));
        static final MethodHandle MULTIPLY = FILL == null ? null : load("multiply", COMBINE);
        static final MethodHandle ADD = FILL == null ? null : load("add", COMBINE);
        private static final MethodType COMBINE_DOUBLE = MethodType.methodType(int.class, float[].class, int.class,
                double[].class, int.class, double[].class, int.class, int.class, double.class);
        private static final MethodType COMBINE_STREAM = MethodType.methodType(int.class, long.class, long.class,
                float[].class, int.class, float[].class, int.class, float[].class, int.class, int.class, float.class);
        static final MethodHandle MULTIPLY_DOUBLE = FILL == null ? null : load("multiplyDouble", COMBINE_DOUBLE);
        static final MethodHandle ADD_DOUBLE = FILL == null ? null : load("addDouble", COMBINE_DOUBLE);
        static final MethodHandle STORE_MULTIPLY = FILL == null ? null : load("storeMultiply", COMBINE_STREAM);
        static final MethodHandle STORE_ADD = FILL == null ? null : load("storeAdd", COMBINE_STREAM);
        static final MethodHandle ADD_RUN = FILL == null ? null : load("addRun", MethodType.methodType(int.class,
                float.class, float.class, float[].class, int.class, float[].class, int.class, int.class));
        /** The rows and runs kernels' type: normals, period, x, y, count of periods, coefficient. */
        private static final MethodType REPEATING = MethodType.methodType(int.class, float[].class, int.class, int.class,
                float[].class, int.class, float[].class, int.class, int.class, float.class);
        static final MethodHandle MULTIPLY_ROWS = FILL == null ? null : load("multiplyRows", REPEATING);
        static final MethodHandle ADD_ROWS = FILL == null ? null : load("addRows", REPEATING);
        static final MethodHandle MULTIPLY_RUNS = FILL == null ? null : load("multiplyRuns", REPEATING);
        static final MethodHandle ADD_RUNS = FILL == null ? null : load("addRuns", REPEATING);
        static final MethodHandle GATHER = FILL == null ? null : load("gather", MethodType.methodType(int.class,
                float[].class, int.class, int[].class, int.class, float[].class, int.class));
        /** The spreads: normals, decisions, where in them, (samples: channels,) out, count. */
        static final MethodHandle SPREAD_RUNS = FILL == null ? null : load("spreadRuns", MethodType.methodType(
                int.class, float[].class, int.class, int[].class, int.class, float[].class, int.class));
        static final MethodHandle SPREAD_SAMPLES = FILL == null ? null : load("spreadSamples", MethodType.methodType(
                int.class, float[].class, int.class, int[].class, int.class, int.class, float[].class, int.class));
        static final MethodHandle SPREAD_SAMPLES_WIDE = FILL == null ? null : load("spreadSamplesWide",
                MethodType.methodType(int.class, float[].class, int.class, int[].class, int.class, int.class,
                        float[].class, int.class));
        static final MethodHandle SPREAD_VECTORS = FILL == null ? null : load("spreadVectors",
                MethodType.methodType(int.class, int.class, int.class));
        /** The spread-and-combine kernels: normals, decisions, where in them, x, y, count, coefficient. */
        private static final MethodType SPREAD_COMBINE = MethodType.methodType(int.class, float[].class, int.class,
                int[].class, int.class, float[].class, int.class, float[].class, int.class, int.class, float.class);
        /** The same with the samples' channels after where in the decisions. */
        private static final MethodType SPREAD_SAMPLES_COMBINE = SPREAD_COMBINE.insertParameterTypes(4, int.class);
        static final MethodHandle MULTIPLY_SPREAD_RUNS = FILL == null ? null : load("multiplySpreadRuns",
                SPREAD_COMBINE);
        static final MethodHandle ADD_SPREAD_RUNS = FILL == null ? null : load("addSpreadRuns", SPREAD_COMBINE);
        static final MethodHandle MULTIPLY_SPREAD_SAMPLES = FILL == null ? null : load("multiplySpreadSamples",
                SPREAD_SAMPLES_COMBINE);
        static final MethodHandle ADD_SPREAD_SAMPLES = FILL == null ? null : load("addSpreadSamples",
                SPREAD_SAMPLES_COMBINE);
        static final MethodHandle MULTIPLY_SPREAD_SAMPLES_WIDE = FILL == null ? null : load("multiplySpreadSamplesWide",
                SPREAD_SAMPLES_COMBINE);
        static final MethodHandle ADD_SPREAD_SAMPLES_WIDE = FILL == null ? null : load("addSpreadSamplesWide",
                SPREAD_SAMPLES_COMBINE);
        static final MethodHandle ADD_RUN_DOUBLE = FILL == null ? null : load("addRunDouble",
                MethodType.methodType(int.class, double.class, double.class, double[].class, int.class,
                        double[].class, int.class, int.class));

        private static MethodHandle load(String name, MethodType type) {
            return VectorMethods.find("PanamaNormals", name, type, "normal stream");
        }
    }
}
