package dev.vecdrop.cli;

import dev.vecdrop.Dropout;
import dev.vecdrop.ParallelDropout;
import dev.vecdrop.Scaling;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiFunction;

/**
 * Runs one {@link Dropout} against another (normally the active kernels against the scalar reference) over
 * awkward sizes, stream offsets, array offsets, probabilities and special float values, and compares every
 * output buffer bit for bit, including the parts a call must not touch. Each side gets its own copy of every
 * input, and every input must come back unchanged from an out-of-place call.
 *
 * <p>Thread-safety: not thread-safe (reuses its buffers). Allocation: buffers per case; not a hot path.
 */
public final class Verifier {

    /** The outcome of a run. */
    public record Report(long cases, long mismatches, String firstMismatch) {
        /** Whether every case matched. */
        public boolean passed() {
            return mismatches == 0;
        }
    }

    /** Drop probabilities: the exact ends, values next to them, and ordinary ones. */
    static final double[] PROBABILITIES = {0.0, 1e-9, 0.01, 0.1, 1.0 / 3, 0.5, 0.75, 0.9, 0.99, 1 - 1e-9, 1.0};
    /** Even and odd positions, word and 64-element boundaries, and offsets near the top of the stream. */
    static final long[] STREAM_OFFSETS = {0, 1, 2, 3, 7, 62, 63, 64, 65, 127, (1L << 32) - 1, (1L << 40) + 3,
            (1L << 62) - 1, Long.MAX_VALUE - 200_000};
    /** Sizes past every 64-element word and every vector width's tails, and a few large ones. */
    static final int[] LARGE_SIZES = {255, 256, 257, 511, 1000, 1023, 1024, 1025, 4095, 4097, 10_007, 65_553};
    static final int SMALL_SIZE_LIMIT = 130;
    /**
     * Operations compared per case: forward, forward with mask, mask, in-place, both backwards, eval, chunked,
     * and the parallel form's forward, forward with mask, mask, both backwards and eval.
     */
    public static final int OPERATIONS_PER_CASE = 14;
    /** Threads of the parallel operations, cut into chunks of 64 elements and up so small sizes split too. */
    static final int PARALLEL_THREADS = 3;
    private static final int GUARD = 3;
    private static final long SENTINEL_WORD = 0x5EED_5EED_DEAD_BEEFL;
    private static final float SENTINEL_FLOAT = Float.intBitsToFloat(0x7fc0_1234); // a NaN with a payload

    private final BiFunction<Double, Scaling, Dropout> candidates;
    private final BiFunction<Double, Scaling, Dropout> references;
    private long cases;
    private long mismatches;
    private String first;
    private ForkJoinPool pool;

    /**
     * @param candidates makes the dropout under test for a {@code (p, scaling)}
     * @param references makes the one to compare against
     */
    public Verifier(BiFunction<Double, Scaling, Dropout> candidates, BiFunction<Double, Scaling, Dropout> references) {
        this.candidates = candidates;
        this.references = references;
    }

    /** The active kernels against the scalar reference. */
    public static Verifier activeAgainstReference() {
        return new Verifier(Dropout::of, (p, s) -> Dropout.of(p, s).scalarReference());
    }

    /**
     * Runs every case.
     *
     * @param progress called with a fraction in [0, 1] after each probability; may be null
     */
    public Report run(java.util.function.DoubleConsumer progress) {
        try (ForkJoinPool threads = new ForkJoinPool(PARALLEL_THREADS)) {
            pool = threads;
            return runAll(progress);
        } finally {
            pool = null;
        }
    }

    private Report runAll(java.util.function.DoubleConsumer progress) {
        int step = 0;
        for (double p : PROBABILITIES) {
            for (Scaling scaling : Scaling.values()) {
                Dropout candidate = candidates.apply(p, scaling);
                Dropout reference = references.apply(p, scaling);
                for (long streamOffset : STREAM_OFFSETS) {
                    for (int n = 0; n <= SMALL_SIZE_LIMIT; n++) {
                        runCase(candidate, reference, 0x9E3779B97F4A7C15L * n + streamOffset, streamOffset, n);
                    }
                    for (int n : LARGE_SIZES) {
                        runCase(candidate, reference, -n, streamOffset, n);
                    }
                }
            }
            if (progress != null) {
                progress.accept(++step / (double) PROBABILITIES.length);
            }
        }
        return new Report(cases, mismatches, first);
    }

    /**
     * All operations for one {@code (p, scaling, seed, streamOffset, n)}. The candidate and the reference each get
     * their own copy of every input, so neither can feed the other a changed one, and every input is compared
     * with the original afterwards, by raw bits: an out-of-place call that writes into its input is a mismatch
     * even when all its outputs are right.
     */
    void runCase(Dropout candidate, Dropout reference, long seed, long streamOffset, int n) {
        SplittableRandom random = new SplittableRandom(seed ^ streamOffset ^ n);
        int xOff = GUARD + n % 5;
        int yOff = GUARD + n % 3;
        float[] x = inputs(random, xOff + n + GUARD);
        long[] bits = random.longs(Dropout.maskWords(n) + 2 * GUARD).toArray();
        String at = candidate + " seed=" + seed + " streamOffset=" + streamOffset + " n=" + n;

        float[] xc = x.clone(), xr = x.clone();
        float[] yc = floats(yOff + n + GUARD), yr = floats(yOff + n + GUARD);
        candidate.forward(seed, streamOffset, xc, xOff, yc, yOff, n);
        reference.forward(seed, streamOffset, xr, xOff, yr, yOff, n);
        compare("forward " + at, yc, yr);
        unchanged("forward x " + at, x, xc, xr);

        xc = x.clone();
        xr = x.clone();
        long[] mc = words(Dropout.maskWords(n) + 2 * GUARD), mr = words(Dropout.maskWords(n) + 2 * GUARD);
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        candidate.forward(seed, streamOffset, xc, xOff, yc, yOff, n, mc, GUARD);
        reference.forward(seed, streamOffset, xr, xOff, yr, yOff, n, mr, GUARD);
        compare("forward+mask values " + at, yc, yr);
        compare("forward+mask bits " + at, mc, mr);
        unchanged("forward+mask x " + at, x, xc, xr);

        mc = words(Dropout.maskWords(n) + 2 * GUARD);
        mr = words(Dropout.maskWords(n) + 2 * GUARD);
        candidate.mask(seed, streamOffset, mc, GUARD, n);
        reference.mask(seed, streamOffset, mr, GUARD, n);
        compare("mask " + at, mc, mr);

        yc = x.clone();
        yr = x.clone();
        candidate.forward(seed, streamOffset, yc, xOff, yc, xOff, n);
        reference.forward(seed, streamOffset, yr, xOff, yr, xOff, n);
        compare("forward in-place " + at, yc, yr);

        xc = x.clone();
        xr = x.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        candidate.backward(seed, streamOffset, xc, xOff, yc, yOff, n);
        reference.backward(seed, streamOffset, xr, xOff, yr, yOff, n);
        compare("backward by regeneration " + at, yc, yr);
        unchanged("backward by regeneration dy " + at, x, xc, xr);

        xc = x.clone();
        xr = x.clone();
        long[] bc = bits.clone(), br = bits.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        candidate.backward(bc, GUARD, xc, xOff, yc, yOff, n);
        reference.backward(br, GUARD, xr, xOff, yr, yOff, n);
        compare("backward from bits " + at, yc, yr);
        unchanged("backward from bits dy " + at, x, xc, xr);
        unchanged("backward from bits mask " + at, bits, bc, br);

        xc = x.clone();
        xr = x.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        candidate.eval(xc, xOff, yc, yOff, n);
        reference.eval(xr, xOff, yr, yOff, n);
        compare("eval " + at, yc, yr);
        unchanged("eval x " + at, x, xc, xr);

        // Chunked calls at random cut points equal one call: the stream position, not the call, decides.
        xc = x.clone();
        xr = x.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        for (int done = 0; done < n; ) {
            int chunk = 1 + random.nextInt(n - done);
            candidate.forward(seed, streamOffset + done, xc, xOff + done, yc, yOff + done, chunk);
            done += chunk;
        }
        reference.forward(seed, streamOffset, xr, xOff, yr, yOff, n);
        compare("forward chunked " + at, yc, yr);
        unchanged("forward chunked x " + at, x, xc, xr);

        // The parallel form on 3 threads, chunks of 64 and up, against the reference's single call.
        ParallelDropout parallel = ParallelDropout.of(candidate, pool, PARALLEL_THREADS).withMinParallelLength(0)
                .withMinChunkLength(ParallelDropout.ALIGNMENT);
        xc = x.clone();
        xr = x.clone();
        mc = words(Dropout.maskWords(n) + 2 * GUARD);
        mr = words(Dropout.maskWords(n) + 2 * GUARD);
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        parallel.forward(seed, streamOffset, xc, xOff, yc, yOff, n, mc, GUARD);
        reference.forward(seed, streamOffset, xr, xOff, yr, yOff, n, mr, GUARD);
        compare("parallel forward+mask values " + at, yc, yr);
        compare("parallel forward+mask bits " + at, mc, mr);
        unchanged("parallel forward+mask x " + at, x, xc, xr);

        xc = x.clone();
        xr = x.clone();
        long[] pbc = bits.clone(), pbr = bits.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        parallel.backward(pbc, GUARD, xc, xOff, yc, yOff, n);
        reference.backward(pbr, GUARD, xr, xOff, yr, yOff, n);
        compare("parallel backward from bits " + at, yc, yr);
        unchanged("parallel backward from bits dy " + at, x, xc, xr);

        mc = words(Dropout.maskWords(n) + 2 * GUARD);
        mr = words(Dropout.maskWords(n) + 2 * GUARD);
        parallel.mask(seed, streamOffset, mc, GUARD, n);
        reference.mask(seed, streamOffset, mr, GUARD, n);
        compare("parallel mask " + at, mc, mr);

        xc = x.clone();
        xr = x.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        parallel.forward(seed, streamOffset, xc, xOff, yc, yOff, n);
        reference.forward(seed, streamOffset, xr, xOff, yr, yOff, n);
        compare("parallel forward " + at, yc, yr);
        unchanged("parallel forward x " + at, x, xc, xr);

        xc = x.clone();
        xr = x.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        parallel.backward(seed, streamOffset, xc, xOff, yc, yOff, n);
        reference.backward(seed, streamOffset, xr, xOff, yr, yOff, n);
        compare("parallel backward by regeneration " + at, yc, yr);
        unchanged("parallel backward by regeneration dy " + at, x, xc, xr);

        xc = x.clone();
        xr = x.clone();
        yc = floats(yOff + n + GUARD);
        yr = floats(yOff + n + GUARD);
        parallel.eval(xc, xOff, yc, yOff, n);
        reference.eval(xr, xOff, yr, yOff, n);
        compare("parallel eval " + at, yc, yr);
        unchanged("parallel eval x " + at, x, xc, xr);
        cases++;
    }

    /** Random floats with NaNs (quiet, signalling, with payloads), infinities, signed zeros and subnormals mixed in. */
    private static float[] inputs(SplittableRandom random, int length) {
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7f80_0001), Float.intBitsToFloat(0xffc0_0042),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3,
                Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f};
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextInt(8) == 0 ? special[random.nextInt(special.length)]
                    : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
        }
        return x;
    }

    private static float[] floats(int length) {
        float[] a = new float[length];
        java.util.Arrays.fill(a, SENTINEL_FLOAT);
        return a;
    }

    private static long[] words(int length) {
        long[] a = new long[length];
        java.util.Arrays.fill(a, SENTINEL_WORD);
        return a;
    }

    private void compare(String what, float[] candidate, float[] reference) {
        for (int i = 0; i < reference.length; i++) {
            int c = Float.floatToRawIntBits(candidate[i]);
            int r = Float.floatToRawIntBits(reference[i]);
            if (c != r) {
                mismatch(what + ": array index " + i + " is 0x" + Integer.toHexString(c)
                        + ", reference 0x" + Integer.toHexString(r));
                return;
            }
        }
    }

    private void compare(String what, long[] candidate, long[] reference) {
        for (int i = 0; i < reference.length; i++) {
            if (candidate[i] != reference[i]) {
                mismatch(what + ": mask word " + i + " is 0x" + Long.toHexString(candidate[i])
                        + ", reference 0x" + Long.toHexString(reference[i]));
                return;
            }
        }
    }

    /** The candidate's and the reference's copies of an input still equal the original, bit for bit. */
    private void unchanged(String what, float[] original, float[] candidate, float[] reference) {
        written("candidate wrote into its input: " + what, candidate, original);
        written("reference wrote into its input: " + what, reference, original);
    }

    private void unchanged(String what, long[] original, long[] candidate, long[] reference) {
        written("candidate wrote into its input: " + what, candidate, original);
        written("reference wrote into its input: " + what, reference, original);
    }

    private void written(String what, float[] copy, float[] original) {
        for (int i = 0; i < original.length; i++) {
            int c = Float.floatToRawIntBits(copy[i]);
            int o = Float.floatToRawIntBits(original[i]);
            if (c != o) {
                mismatch(what + ": array index " + i + " is 0x" + Integer.toHexString(c)
                        + ", was 0x" + Integer.toHexString(o));
                return;
            }
        }
    }

    private void written(String what, long[] copy, long[] original) {
        for (int i = 0; i < original.length; i++) {
            if (copy[i] != original[i]) {
                mismatch(what + ": mask word " + i + " is 0x" + Long.toHexString(copy[i])
                        + ", was 0x" + Long.toHexString(original[i]));
                return;
            }
        }
    }

    private void mismatch(String description) {
        if (mismatches++ == 0) {
            first = description;
        }
    }
}
