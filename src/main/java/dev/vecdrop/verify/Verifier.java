package dev.vecdrop.verify;

import dev.vecdrop.Activation;
import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import dev.vecdrop.FusedDropout;
import dev.vecdrop.GaussianDropout;
import dev.vecdrop.GaussianNoise;
import dev.vecdrop.MaskStream;
import dev.vecdrop.NormalStream;
import dev.vecdrop.ParallelDropout;
import dev.vecdrop.ParallelGaussian;
import dev.vecdrop.Scaling;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiFunction;

/**
 * Runs one {@link Dropout} against another (normally the active kernels against the scalar reference) over
 * awkward sizes, stream offsets, array offsets, probabilities and special float values, and compares every
 * output buffer bit for bit, including the parts a call must not touch. Each side gets its own copy of every
 * input, and every input must come back unchanged from an out-of-place call. The normal stream's fill
 * ({@link NormalStream#fill}, normally the vector one) is compared likewise with the contract's scalar
 * {@link NormalStream#z}, over the same stream offsets and sizes.
 *
 * <p>Internal (the package is not exported): the library's own exactness harness, run by the tests in every leg
 * of the ISA matrix and by {@code vecdrop verify}. It lives with the library, not the CLI, because it is the
 * check the library is held to.
 *
 * <p>Thread-safety: not thread-safe (one run at a time; it owns a 3-thread pool during {@link #run}).
 * Allocation: buffers per case; not a hot path.
 */
public final class Verifier {

    /** The outcome of a run. Thread-safety: immutable. Allocation: made once per run. */
    public record Report(long cases, long operations, long mismatches, String firstMismatch) {
        /** Whether every case matched. */
        public boolean passed() {
            return mismatches == 0;
        }
    }

    /** Drop probabilities: the exact ends, values next to them, and ordinary ones. */
    static final double[] PROBABILITIES = {0.0, 1e-9, 0.01, 0.1, 1.0 / 3, 0.5, 0.75, 0.9, 0.99, 1 - 1e-9, 1.0};
    /**
     * Alpha dropout's, few to keep the run short (its forward is the only new code; its mask and backward are
     * dropout's with another scale): {@code p = 0} (a copy), a threshold just below {@code 2^32}, an ordinary one,
     * and {@code 1 - 1e-10}, where {@code T = 0} and every element is {@code c}. No {@code p = 1}: alpha rejects it.
     */
    static final double[] ALPHA_PROBABILITIES = {0.0, 1e-9, 0.5, 1 - 1e-10};
    /**
     * The order the probabilities run in, {@code k >= PROBABILITIES.length} naming {@code ALPHA_PROBABILITIES[k -
     * PROBABILITIES.length]}: ordinary ones first (dropout's 0.5, then alpha's), then an alpha one after every two
     * others, so that a run stopping at its first mismatch finds a broken kernel in its first step: at {@code p = 0}
     * and {@code 1e-9} most kernels are skipped (the exact ends) or drop nothing, and starting there had the
     * verifier's fault tests run two or three whole steps first (it ran every dropout probability first, 6 s of the
     * verifier's tests, before alpha's were interleaved).
     */
    private static final int[] SCHEDULE = {5, 13, 0, 1, 11, 2, 3, 12, 4, 6, 14, 7, 8, 9, 10};

    static { // every probability exactly once: a schedule that lost one would verify less and still pass
        int[] sorted = SCHEDULE.clone();
        java.util.Arrays.sort(sorted);
        for (int k = 0; k < sorted.length; k++) {
            if (sorted.length != PROBABILITIES.length + ALPHA_PROBABILITIES.length || sorted[k] != k) {
                throw new IllegalStateException("SCHEDULE is not a permutation: "
                        + java.util.Arrays.toString(SCHEDULE));
            }
        }
    }
    /** Even and odd positions, word and 64-element boundaries, and offsets near the top of the stream. */
    static final long[] STREAM_OFFSETS = {0, 1, 2, 3, 7, 62, 63, 64, 65, 127, (1L << 32) - 1, (1L << 40) + 3,
            (1L << 62) - 1, Long.MAX_VALUE - 200_000};
    /** Sizes past every 64-element word and every vector width's tails, and a few large ones. */
    static final int[] LARGE_SIZES = {255, 256, 257, 511, 1000, 1023, 1024, 1025, 4095, 4097, 10_007, 65_553};
    static final int SMALL_SIZE_LIMIT = 130;
    /**
     * Large sizes from this one up (10,007 and 65,553: nine tenths of all elements) run at every third stream
     * offset, a different third for each probability (by its index, not its place in {@link #SCHEDULE}: the alpha
     * ones sit at places 2, 5, 8 and 11, one third), so every offset still meets them: their bodies are the
     * loops the smaller sizes already run, and at every offset they made the run three times longer.
     */
    static final int ROTATED_SIZE_LIMIT = 10_000;
    /**
     * Operations compared per case: forward, forward with mask, mask, in-place, both backwards, eval, chunked,
     * and the parallel form's forward, forward with mask, mask, both backwards and eval.
     */
    public static final int OPERATIONS_PER_CASE = 14;
    /** Operations {@link #runForm} compares per form. */
    private static final int OPERATIONS_PER_FORM = 7;
    /**
     * Operations of the other forms (float64 arrays, float32 and float64 heap, native and carried segments: see
     * {@link Forms}), each compared with the scalar reference on plain arrays: forward, forward with mask, mask,
     * both backwards, eval and in-place ({@value #OPERATIONS_PER_FORM}) for each form but float32 arrays.
     * They run on every {@value #FORMS_EVERY}th small case (a different eighth at each
     * stream offset, so each size meets them at one or two offsets for every probability) and two large sizes,
     * which keeps the run short; the small sizes cover every vector width's body and tails. Where
     * {@code n % 4 == 0}, the same operations also run per channel, both layouts, on two of the forms.
     */
    public static final int FORM_OPERATIONS = OPERATIONS_PER_FORM * (Forms.values().length - 1);
    /** The other forms run on one small case in this many: they cost three times a float32 case each. */
    static final int FORMS_EVERY = 8;
    /**
     * Normal-stream operations per stream offset and size: one fill, and fills chunked at random cut points (odd
     * starts split Box-Muller pairs), each against {@link NormalStream#z}. They run once per stream offset and
     * size, not per probability: the stream has none.
     */
    public static final int NORMAL_OPERATIONS = 2;
    /** Fused-kernel operations per case they run on: 3 per activation (3 activations) and the residual. */
    public static final int FUSED_OPERATIONS = 10;
    /** The activations the fused kernels are checked with. */
    static final Activation[] FUSED_ACTIVATIONS = {Activation.identity(), Activation.relu(), Activation.leakyRelu(0.01f)};
    /**
     * The forms the fused kernels run on, one per fused case, picked by a scrambled count of the cases: each form
     * gets about an eighth of them, every length among them, at an eighth of the cost of all eight on every case.
     */
    private static final Forms[] FUSED_FORMS = Forms.values();
    /** Gaussian operations per stream offset, size and layout: see {@link #runGaussians}. */
    public static final int GAUSSIAN_OPERATIONS = 10;
    /** Of those, the parallel ones, run where {@code n % 6 == 0}. */
    static final int PARALLEL_GAUSSIAN_OPERATIONS = 2;
    /** The gaussian-dropout probability and gaussian-noise deviation the verifier runs at. */
    static final double GAUSSIAN_P = 0.3;
    /**
     * Not a power of two, nor may it ever be: {@code stddev * z} must round, or {@code fma(stddev, z, x)} and
     * {@code stddev * z + x} agree bit for bit and a noise kernel that lost its fma passes (with 0.25, until stop 31,
     * a review helper's mul-then-add breaks of every noise kernel went unseen).
     */
    static final double GAUSSIAN_STDDEV = 0.3;
    /** The large sizes the other forms also run at. */
    static final int[] FORMS_LARGE_SIZES = {1024, 1025};
    /** Threads of the parallel operations, cut into chunks of 64 elements and up so small sizes split too. */
    static final int PARALLEL_THREADS = 3;
    private static final int GUARD = 3;
    private static final long SENTINEL_WORD = 0x5EED_5EED_DEAD_BEEFL;
    private static final float SENTINEL_FLOAT = Float.intBitsToFloat(0x7fc0_1234); // a NaN with a payload
    private static final double SENTINEL_DOUBLE = Double.longBitsToDouble(0x7ff8_0000_0000_1234L);

    private final BiFunction<Double, Scaling, Dropout> candidates;
    private final BiFunction<Double, Scaling, Dropout> references;
    private final NormalFill normals;
    private final GaussianDropout gaussianDropout = GaussianDropout.of(GAUSSIAN_P);
    private final GaussianNoise gaussianNoise = GaussianNoise.of(GAUSSIAN_STDDEV);
    private final boolean stopAtFirstMismatch;
    private final int maxLength;
    private long cases;
    private long operations;
    /** Fused cases run so far: the count {@link #runFused} picks each case's form from. */
    private long fusedRuns;
    private long mismatches;
    private String first;
    private ForkJoinPool pool;

    /**
     * @param candidates makes the dropout under test for a {@code (p, scaling)}
     * @param references makes the one to compare against
     */
    public Verifier(BiFunction<Double, Scaling, Dropout> candidates, BiFunction<Double, Scaling, Dropout> references) {
        this(candidates, references, NormalStream::fill, false, Integer.MAX_VALUE);
    }

    private Verifier(BiFunction<Double, Scaling, Dropout> candidates, BiFunction<Double, Scaling, Dropout> references,
                     NormalFill normals, boolean stopAtFirstMismatch, int maxLength) {
        this.candidates = candidates;
        this.references = references;
        this.normals = normals;
        this.stopAtFirstMismatch = stopAtFirstMismatch;
        this.maxLength = maxLength;
    }

    /**
     * A normal-stream fill under test, with {@link NormalStream#fill}'s arguments. Thread-safety and allocation: the
     * implementation's; the verifier calls it from one thread.
     */
    @FunctionalInterface
    public interface NormalFill {
        /**
         * Writes {@code z(seed, offset + i)} to {@code out[off + i]} for {@code i} in {@code [0, len)}.
         *
         * @param seed   the seed of the stream
         * @param offset the stream element of {@code out[off]}
         * @param out    where the values go
         * @param off    the first index written
         * @param len    how many values
         */
        void fill(long seed, long offset, float[] out, int off, int len);
    }

    /**
     * The same check with another normal-stream fill under test (by default {@link NormalStream#fill}): for
     * proving that a faulty one is caught.
     *
     * @param candidate the fill compared with {@link NormalStream#z}
     * @return a verifier like this one but for the fill
     */
    public Verifier withNormalFill(NormalFill candidate) {
        return new Verifier(candidates, references, candidate, stopAtFirstMismatch, maxLength);
    }

    /**
     * The same check, ending after the first case with a mismatch: for proving that a fault is caught, where the
     * rest of the run would add nothing but time.
     */
    public Verifier stoppingAtFirstMismatch() {
        return new Verifier(candidates, references, normals, true, maxLength);
    }

    /**
     * The same check on the cases of at most {@code maxLength} elements: up to 130 they are every tail of every
     * width and every form (a quick check), and up to 4,097 every vector body and block edge that the two larger
     * lengths (10,007 and 65,553) run again.
     *
     * @param maxLength the longest case run, {@code >= 0}
     * @return a verifier like this one but for the shorter cases
     * @throws IllegalArgumentException if {@code maxLength < 0}
     */
    public Verifier upToLength(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
        }
        return new Verifier(candidates, references, normals, stopAtFirstMismatch, maxLength);
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
        int smallLimit = Math.min(SMALL_SIZE_LIMIT, maxLength);
        int step = 0;
        int steps = SCHEDULE.length;
        all:
        for (int k = 0; k < steps; k++) {
            boolean alpha = SCHEDULE[k] >= PROBABILITIES.length;
            double p = alpha ? ALPHA_PROBABILITIES[SCHEDULE[k] - PROBABILITIES.length] : PROBABILITIES[SCHEDULE[k]];
            Scaling[] scalings = alpha ? new Scaling[] {Scaling.ALPHA}
                    : new Scaling[] {Scaling.INVERTED, Scaling.CLASSIC};
            for (Scaling scaling : scalings) {
                Dropout candidate = candidates.apply(p, scaling);
                Dropout reference = references.apply(p, scaling);
                for (int o = 0; o < STREAM_OFFSETS.length; o++) {
                    long streamOffset = STREAM_OFFSETS[o];
                    if (k == 0 && scaling == scalings[0]) { // once per offset, before its first dropout cases
                        runNormalsAndGaussians(streamOffset, smallLimit);
                    }
                    for (int n = 0; n <= smallLimit; n++) {
                        long seed = 0x9E3779B97F4A7C15L * n + streamOffset;
                        runCase(candidate, reference, seed, streamOffset, n);
                        if ((n + o) % FORMS_EVERY == 0) {
                            runForms(candidate, reference, seed, streamOffset, n);
                            runFused(candidate, reference, seed, streamOffset, n);
                        }
                    }
                    for (int n : LARGE_SIZES) {
                        if (n > maxLength || n >= ROTATED_SIZE_LIMIT && (o + SCHEDULE[k]) % 3 != 0) {
                            continue;
                        }
                        runCase(candidate, reference, -n, streamOffset, n);
                        if (n == FORMS_LARGE_SIZES[0] || n == FORMS_LARGE_SIZES[1]) {
                            runForms(candidate, reference, -n, streamOffset, n);
                            runFused(candidate, reference, -n, streamOffset, n);
                        }
                    }
                    if (stopAtFirstMismatch && mismatches > 0) {
                        break all;
                    }
                }
            }
            if (progress != null) {
                progress.accept(++step / (double) steps);
            }
        }
        return new Report(cases, operations, mismatches, first);
    }

    /**
     * The normal stream and the gaussian layers at one stream offset, every length up to {@code smallLimit} and the
     * large ones up to {@link #maxLength}. Run with the first probability's cases of each offset (not all before
     * them), so that a run stopping at its first mismatch finds a broken dropout kernel as early as a broken fill.
     */
    private void runNormalsAndGaussians(long streamOffset, int smallLimit) {
        for (int n = 0; n <= smallLimit; n++) {
            runNormals(0x9E3779B97F4A7C15L * n + streamOffset, streamOffset, n);
            runGaussiansEveryLayout(0x9E3779B97F4A7C15L * n + streamOffset, streamOffset, n);
        }
        for (int n : LARGE_SIZES) {
            if (n <= maxLength) {
                runNormals(-n, streamOffset, n);
                runGaussiansEveryLayout(-n, streamOffset, n);
            }
        }
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
        Case c = new Case(candidate + " seed=" + seed + " streamOffset=" + streamOffset + " n=" + n, x,
                yOff + n + GUARD, Dropout.maskWords(n) + 2 * GUARD);
        long so = streamOffset;
        int m = GUARD;

        c.compare("forward", null, (in, out, mask) -> candidate.forward(seed, so, in, xOff, out, yOff, n),
                (in, out, mask) -> reference.forward(seed, so, in, xOff, out, yOff, n));
        c.compare("forward+mask", null, (in, out, mask) -> candidate.forward(seed, so, in, xOff, out, yOff, n, mask, m),
                (in, out, mask) -> reference.forward(seed, so, in, xOff, out, yOff, n, mask, m));
        c.compare("mask", null, (in, out, mask) -> candidate.mask(seed, so, mask, m, n),
                (in, out, mask) -> reference.mask(seed, so, mask, m, n));
        c.compare("backward by regeneration", null,
                (in, out, mask) -> candidate.backward(seed, so, in, xOff, out, yOff, n),
                (in, out, mask) -> reference.backward(seed, so, in, xOff, out, yOff, n));
        c.compare("backward from bits", bits, (in, out, mask) -> candidate.backward(mask, m, in, xOff, out, yOff, n),
                (in, out, mask) -> reference.backward(mask, m, in, xOff, out, yOff, n));
        c.compare("eval", null, (in, out, mask) -> candidate.eval(in, xOff, out, yOff, n),
                (in, out, mask) -> reference.eval(in, xOff, out, yOff, n));
        // Chunked calls at random cut points equal one call: the stream position, not the call, decides.
        c.compare("forward chunked", null, (in, out, mask) -> {
            for (int done = 0; done < n; ) {
                int chunk = 1 + random.nextInt(n - done);
                candidate.forward(seed, so + done, in, xOff + done, out, yOff + done, chunk);
                done += chunk;
            }
        }, (in, out, mask) -> reference.forward(seed, so, in, xOff, out, yOff, n));

        float[] yc = x.clone();
        float[] yr = x.clone();
        candidate.forward(seed, streamOffset, yc, xOff, yc, xOff, n);
        reference.forward(seed, streamOffset, yr, xOff, yr, xOff, n);
        compare("forward in-place " + c.at, yc, yr);

        // The parallel form on 3 threads, chunks of 64 and up, against the reference's single call.
        ParallelDropout parallel = ParallelDropout.of(candidate, pool, PARALLEL_THREADS).withMinParallelLength(0)
                .withMinChunkLength(ParallelDropout.ALIGNMENT);
        c.compare("parallel forward", null, (in, out, mask) -> parallel.forward(seed, so, in, xOff, out, yOff, n),
                (in, out, mask) -> reference.forward(seed, so, in, xOff, out, yOff, n));
        c.compare("parallel forward+mask", null,
                (in, out, mask) -> parallel.forward(seed, so, in, xOff, out, yOff, n, mask, m),
                (in, out, mask) -> reference.forward(seed, so, in, xOff, out, yOff, n, mask, m));
        c.compare("parallel mask", null, (in, out, mask) -> parallel.mask(seed, so, mask, m, n),
                (in, out, mask) -> reference.mask(seed, so, mask, m, n));
        c.compare("parallel backward by regeneration", null,
                (in, out, mask) -> parallel.backward(seed, so, in, xOff, out, yOff, n),
                (in, out, mask) -> reference.backward(seed, so, in, xOff, out, yOff, n));
        c.compare("parallel backward from bits", bits,
                (in, out, mask) -> parallel.backward(mask, m, in, xOff, out, yOff, n),
                (in, out, mask) -> reference.backward(mask, m, in, xOff, out, yOff, n));
        c.compare("parallel eval", null, (in, out, mask) -> parallel.eval(in, xOff, out, yOff, n),
                (in, out, mask) -> reference.eval(in, xOff, out, yOff, n));
        cases++;
        operations += OPERATIONS_PER_CASE;
    }

    /**
     * The normal stream at one {@code (seed, streamOffset, n)}: see {@link #NORMAL_OPERATIONS}. The expected
     * buffer is the contract's {@link NormalStream#z} inside the region and sentinels around it, so a fill that
     * writes outside its region is a mismatch too.
     */
    void runNormals(long seed, long streamOffset, int n) {
        SplittableRandom random = new SplittableRandom(seed ^ streamOffset ^ ~n);
        int off = GUARD + n % 3;
        float[] expected = floats(off + n + GUARD);
        for (int i = 0; i < n; i++) {
            expected[off + i] = NormalStream.z(seed, streamOffset + i);
        }
        String at = " seed=" + seed + " streamOffset=" + streamOffset + " n=" + n;
        float[] one = floats(expected.length);
        normals.fill(seed, streamOffset, one, off, n);
        compare("normal fill values" + at, one, expected);
        float[] chunked = floats(expected.length);
        for (int done = 0; done < n; ) {
            int chunk = 1 + random.nextInt(n - done);
            normals.fill(seed, streamOffset + done, chunked, off + done, chunk);
            done += chunk;
        }
        compare("normal fill chunked values" + at, chunked, expected);
        operations += NORMAL_OPERATIONS;
    }

    /** {@link #runGaussians} element-wise, and in the per-channel layouts that {@code n} divides into. */
    private void runGaussiansEveryLayout(long seed, long streamOffset, int n) {
        runGaussians(seed, streamOffset, n, ChannelLayout.elementwise());
        // Per channel where n is 2 samples of n / 4 channels x 2 positions, in both layouts, as runForms does; and
        // where n is 2 samples of n / 64 channels x 32 positions, channels first: runs long enough to be scaled.
        if (n > 0 && n % 4 == 0) {
            runGaussians(seed, streamOffset, n, ChannelLayout.channelsFirst(n / 4, 2));
            runGaussians(seed, streamOffset, n, ChannelLayout.channelsLast(2, n / 4));
        }
        if (n > 0 && n % 64 == 0) {
            runGaussians(seed, streamOffset, n, ChannelLayout.channelsFirst(n / 64, 32));
        }
    }

    /** The stream element, relative to the region's, of region element {@code i}: its {@code (n, c)}'s. */
    private static long decision(ChannelLayout layout, int i) {
        int c = layout.channels();
        int s = layout.positions();
        return switch (layout.kind()) {
            case ELEMENTWISE -> i;
            case CHANNELS_FIRST -> i / s;
            case CHANNELS_LAST -> (long) (i / (c * s)) * c + i % c;
        };
    }

    /**
     * Gaussian dropout and gaussian noise ({@link #GAUSSIAN_OPERATIONS}) against their definitions in
     * docs/mask-stream.md, computed here element by element from {@link NormalStream#z}: float32 forwards of both,
     * the float64 gaussian-dropout backward and the float64 noise forward, on inputs with special values; each over
     * arrays and again over memory segments (native or heap); where {@code n % 6 == 0}, the float32 dropout forward
     * and the float64 noise forward (native segments) again through {@link ParallelGaussian} on the pool; with
     * {@code layout}'s decisions (element-wise, and per channel where {@code n % 4 == 0} or {@code n % 64 == 0}:
     * {@link #runGaussiansEveryLayout}).
     */
    private void runGaussians(long seed, long streamOffset, int n, ChannelLayout layout) {
        GaussianDropout gaussianDropout = this.gaussianDropout.perChannel(layout);
        GaussianNoise gaussianNoise = this.gaussianNoise.perChannel(layout);
        SplittableRandom random = new SplittableRandom(seed ^ streamOffset ^ (31L * n));
        int xOff = GUARD + n % 5;
        int yOff = GUARD + n % 3;
        float[] x = inputs(random, xOff + n + GUARD);
        double[] xd = doubleInputs(random, xOff + n + GUARD);
        float sigma = (float) Math.sqrt(GAUSSIAN_P / (1 - GAUSSIAN_P));
        double sigmaD = Math.sqrt(GAUSSIAN_P / (1 - GAUSSIAN_P));
        float stddev = (float) GAUSSIAN_STDDEV;
        float[] dropExpected = floats(yOff + n + GUARD);
        float[] noiseExpected = floats(yOff + n + GUARD);
        double[] dropBackExpected = doubles(yOff + n + GUARD);
        double[] noiseExpectedD = doubles(yOff + n + GUARD);
        for (int i = 0; i < n; i++) {
            float z = NormalStream.z(seed, streamOffset + decision(layout, i));
            dropExpected[yOff + i] = x[xOff + i] * Math.fma(sigma, z, 1f);
            noiseExpected[yOff + i] = Math.fma(stddev, z, x[xOff + i]);
            dropBackExpected[yOff + i] = xd[xOff + i] * Math.fma(sigmaD, (double) z, 1.0);
            noiseExpectedD[yOff + i] = Math.fma(GAUSSIAN_STDDEV, (double) z, xd[xOff + i]);
        }
        String at = " seed=" + seed + " streamOffset=" + streamOffset + " n=" + n + " " + layout;
        float[] y = floats(dropExpected.length);
        gaussianDropout.forward(seed, streamOffset, x.clone(), xOff, y, yOff, n);
        compare("gaussian dropout forward values" + at, y, dropExpected);
        y = floats(noiseExpected.length);
        gaussianNoise.forward(seed, streamOffset, x.clone(), xOff, y, yOff, n);
        compare("gaussian noise forward values" + at, y, noiseExpected);
        double[] yd = doubles(dropBackExpected.length);
        gaussianDropout.backward(seed, streamOffset, xd.clone(), xOff, yd, yOff, n);
        compare("gaussian dropout float64 backward values" + at, yd, dropBackExpected);
        yd = doubles(noiseExpectedD.length);
        gaussianNoise.forward(seed, streamOffset, xd.clone(), xOff, yd, yOff, n);
        compare("gaussian noise float64 forward values" + at, yd, noiseExpectedD);
        // The segment forms, against the same definitions: float32 native and heap, float64 heap and native.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ys = nativeCopy(arena, MemorySegment.ofArray(floats(dropExpected.length)));
            gaussianDropout.forwardFloats(seed, streamOffset, nativeCopy(arena, MemorySegment.ofArray(x)), xOff, ys,
                    yOff, n);
            compare("gaussian dropout forward values, native segments" + at, ys.toArray(ValueLayout.JAVA_FLOAT),
                    dropExpected);
            float[] yh = floats(noiseExpected.length);
            gaussianNoise.forwardFloats(seed, streamOffset, MemorySegment.ofArray(x.clone()), xOff,
                    MemorySegment.ofArray(yh), yOff, n);
            compare("gaussian noise forward values, heap segments" + at, yh, noiseExpected);
            double[] ydh = doubles(dropBackExpected.length);
            gaussianDropout.backwardDoubles(seed, streamOffset, MemorySegment.ofArray(xd.clone()), xOff,
                    MemorySegment.ofArray(ydh), yOff, n);
            compare("gaussian dropout float64 backward values, heap segments" + at, ydh, dropBackExpected);
            MemorySegment yds = nativeCopy(arena, MemorySegment.ofArray(doubles(noiseExpectedD.length)));
            gaussianNoise.forwardDoubles(seed, streamOffset, nativeCopy(arena, MemorySegment.ofArray(xd)), xOff, yds,
                    yOff, n);
            compare("gaussian noise float64 forward values, native segments" + at,
                    yds.toArray(ValueLayout.JAVA_DOUBLE), noiseExpectedD);
        }
        operations += GAUSSIAN_OPERATIONS - PARALLEL_GAUSSIAN_OPERATIONS;
        if (n % 6 != 0) { // a sixth of the sizes, every layout among them: the pool's hand-offs cost more than n
            return;
        }
        // The parallel forms, cut into chunks of 64 and up on the pool (a per-channel chunk starts mid-sample).
        ParallelGaussian parallelDropout = ParallelGaussian.of(gaussianDropout, pool, PARALLEL_THREADS)
                .withMinParallelLength(0).withMinChunkLength(ParallelDropout.ALIGNMENT);
        y = floats(dropExpected.length);
        parallelDropout.forward(seed, streamOffset, x.clone(), xOff, y, yOff, n);
        compare("parallel gaussian dropout forward values" + at, y, dropExpected);
        ParallelGaussian parallelNoise = ParallelGaussian.of(gaussianNoise, pool, PARALLEL_THREADS)
                .withMinParallelLength(0).withMinChunkLength(ParallelDropout.ALIGNMENT);
        // Native memory the pool's threads may touch: an automatic arena (a shared one costs a handshake to close).
        Arena automatic = Arena.ofAuto();
        MemorySegment yds = nativeCopy(automatic, MemorySegment.ofArray(doubles(noiseExpectedD.length)));
        parallelNoise.forwardDoubles(seed, streamOffset, nativeCopy(automatic, MemorySegment.ofArray(xd)), xOff, yds,
                yOff, n);
        compare("parallel gaussian noise float64 forward values, native segments" + at,
                yds.toArray(ValueLayout.JAVA_DOUBLE), noiseExpectedD);
        operations += PARALLEL_GAUSSIAN_OPERATIONS;
    }

    /** A native copy of {@code heap}'s bytes, 8-byte aligned, freed with {@code arena}. */
    private static MemorySegment nativeCopy(Arena arena, MemorySegment heap) {
        return arena.allocate(heap.byteSize(), 8).copyFrom(heap);
    }

    /**
     * The fused kernels ({@link FusedDropout}) of the candidate's dropout against the scalar reference's, for each
     * activation: forward, forward with a mask, backward with the bias gradient (from the reference's forward
     * output), and the residual forward; {@value #FUSED_OPERATIONS} operations, on the cases the other forms run on,
     * each case in one of the eight forms (float32 and float64 arrays, heap, native and carried segments of
     * either: see {@link Forms}).
     * Rows of {@link #fusedFeatures} features. The bias, residual and upstream gradient are finite: the result of
     * adding two NaNs is not fixed by Java (either payload), so it is no contract of the fused kernels either.
     */
    void runFused(Dropout candidate, Dropout reference, long seed, long streamOffset, int n) {
        if (candidate.scaling() == Scaling.ALPHA || n == 0) {
            return;
        }
        // The counter scrambled by SplitMix64's mixer and reduced by its high bits: a count taken mod 6, or an odd
        // multiple of it taken mod 6 (which keeps the count's parity), gave every (offset, length) the same form
        // or the same three forms on every pass, as the fused cases per pass are an even number.
        Forms form = FUSED_FORMS[(int) Math.unsignedMultiplyHigh(MaskStream.mix64(++fusedRuns), FUSED_FORMS.length)];
        try (Arena arena = Arena.ofConfined()) {
            runFused(form, arena, candidate, reference, seed, streamOffset, n);
        }
    }

    private void runFused(Forms form, Arena arena, Dropout candidate, Dropout reference, long seed,
                          long streamOffset, int n) {
        SplittableRandom random = new SplittableRandom(seed * 31 + streamOffset ^ n);
        int features = fusedFeatures(n);
        int off = GUARD + n % 3;
        int length = off + n + GUARD;
        boolean floats = form.elementBytes == Float.BYTES;
        MemorySegment x = floats ? MemorySegment.ofArray(inputs(random, length))
                : MemorySegment.ofArray(doubleInputs(random, length));
        MemorySegment bias = finite(random, features + 2 * GUARD, floats);
        MemorySegment residual = finite(random, length, floats);
        MemorySegment dy = finite(random, length, floats);
        MemorySegment sentinel = floats ? MemorySegment.ofArray(floats(length)) : MemorySegment.ofArray(doubles(length));
        MemorySegment biasSentinel = floats ? MemorySegment.ofArray(floats(features + 2 * GUARD))
                : MemorySegment.ofArray(doubles(features + 2 * GUARD));
        long[] sentinelWords = words(Dropout.maskWords(n) + 2 * GUARD);
        Forms ref = form.reference();
        List<MemorySegment> natives = new ArrayList<>();
        String at = " " + form + " seed=" + seed + " streamOffset=" + streamOffset + " n=" + n + " features=" + features;
        for (Activation activation : FUSED_ACTIVATIONS) {
            FusedDropout c = FusedDropout.of(candidate, activation);
            FusedDropout r = FusedDropout.of(reference, activation).scalarReference();
            String what = "fused " + activation + at;
            Object xc = form.data(arena, x, natives), xr = ref.data(arena, x, natives);
            Object bc = form.data(arena, bias, natives), br = ref.data(arena, bias, natives);
            Object yc = form.data(arena, sentinel, natives), yr = ref.data(arena, sentinel, natives);
            form.fusedForward(c, seed, streamOffset, xc, off, bc, GUARD, yc, off, n, features, null, 0);
            ref.fusedForward(r, seed, streamOffset, xr, off, br, GUARD, yr, off, n, features, null, 0);
            bytesDiffer(what + " forward values", yc, Forms.bytes(yr), "reference", form.elementBytes);
            Object mc = form.mask(arena, sentinelWords, natives), mr = ref.mask(arena, sentinelWords, natives);
            yc = form.data(arena, sentinel, natives);
            Object yMasked = ref.data(arena, sentinel, natives);
            form.fusedForward(c, seed, streamOffset, xc, off, bc, GUARD, yc, off, n, features, mc, GUARD);
            ref.fusedForward(r, seed, streamOffset, xr, off, br, GUARD, yMasked, off, n, features, mr, GUARD);
            bytesDiffer(what + " forward+mask values", yc, Forms.bytes(yMasked), "reference", form.elementBytes);
            bytesDiffer(what + " forward+mask mask", mc, Forms.bytes(mr), "reference", Long.BYTES);
            bytesDiffer("candidate wrote into its input: " + what + " x", xc, x, "was", form.elementBytes);
            bytesDiffer("candidate wrote into its input: " + what + " bias", bc, bias, "was", form.elementBytes);
            // The backward from the reference's forward output, in each side's form.
            MemorySegment forwardOutput = Forms.bytes(yr);
            Object yIn = form.data(arena, forwardOutput, natives), yInRef = ref.data(arena, forwardOutput, natives);
            Object dyc = form.data(arena, dy, natives), dyr = ref.data(arena, dy, natives);
            Object dxc = form.data(arena, sentinel, natives), dxr = ref.data(arena, sentinel, natives);
            Object dbc = form.data(arena, biasSentinel, natives), dbr = ref.data(arena, biasSentinel, natives);
            form.fusedBackward(c, seed, streamOffset, yIn, dyc, dxc, off, n, features, dbc, GUARD);
            ref.fusedBackward(r, seed, streamOffset, yInRef, dyr, dxr, off, n, features, dbr, GUARD);
            bytesDiffer(what + " backward values", dxc, Forms.bytes(dxr), "reference", form.elementBytes);
            bytesDiffer(what + " backward bias gradient", dbc, Forms.bytes(dbr), "reference", form.elementBytes);
        }
        FusedDropout c = FusedDropout.of(candidate, Activation.identity());
        FusedDropout r = FusedDropout.of(reference, Activation.identity()).scalarReference();
        Object xc = form.data(arena, x, natives), xr = ref.data(arena, x, natives);
        Object rc = form.data(arena, residual, natives), rr = ref.data(arena, residual, natives);
        Object yc = form.data(arena, sentinel, natives), yr = ref.data(arena, sentinel, natives);
        form.fusedResidual(c, seed, streamOffset, xc, rc, yc, off, n);
        ref.fusedResidual(r, seed, streamOffset, xr, rr, yr, off, n);
        bytesDiffer("fused residual forward values" + at, yc, Forms.bytes(yr), "reference", form.elementBytes);
        for (MemorySegment block : natives) {
            if (!Forms.guardsIntact(block)) {
                mismatch("fused: wrote outside its segment:" + at);
            }
        }
        operations += FUSED_OPERATIONS;
    }

    /** Records a mismatch where the bytes of a buffer made by {@link Forms} differ from {@code expected}'s. */
    private void bytesDiffer(String what, Object actual, MemorySegment expected, String expectedName,
                             int elementBytes) {
        long at = Forms.bytes(actual).mismatch(expected);
        if (at >= 0) {
            mismatch(what + ": byte " + at + " (element " + at / elementBytes + ") differs from the " + expectedName);
        }
    }

    /** {@code length} random finite values of the form's type: {@link #finite(float[])} or {@link #finite(double[])}. */
    private static MemorySegment finite(SplittableRandom random, int length, boolean floats) {
        return floats ? MemorySegment.ofArray(finite(inputs(random, length)))
                : MemorySegment.ofArray(finite(doubleInputs(random, length)));
    }

    /** A row length that divides {@code n}: the largest of 37, 24, 16, 7, 3 and 1 that does (tails and whole rows). */
    static int fusedFeatures(int n) {
        for (int f : new int[] {37, 24, 16, 7, 3}) {
            if (n % f == 0) {
                return f;
            }
        }
        return 1;
    }

    /** {@code values} with every NaN replaced by 1.5f (infinities, zeros and subnormals stay). */
    private static float[] finite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                values[i] = 1.5f;
            }
        }
        return values;
    }

    /** {@code values} with every NaN replaced by 1.5, as {@link #finite(float[])}. */
    private static double[] finite(double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                values[i] = 1.5;
            }
        }
        return values;
    }

    /** The other forms of one case: see {@link #FORM_OPERATIONS}. */
    void runForms(Dropout candidate, Dropout reference, long seed, long streamOffset, int n) {
        SplittableRandom random = new SplittableRandom(~seed ^ streamOffset ^ n);
        int xOff = GUARD + n % 5;
        int yOff = GUARD + n % 3;
        int m = GUARD;
        long so = streamOffset;
        MemorySegment floatInput = MemorySegment.ofArray(inputs(random, xOff + n + GUARD));
        MemorySegment doubleInput = MemorySegment.ofArray(doubleInputs(random, xOff + n + GUARD));
        long[] bits = random.longs(Dropout.maskWords(n) + 2 * GUARD).toArray();
        long[] sentinelWords = words(Dropout.maskWords(n) + 2 * GUARD);
        try (Arena arena = Arena.ofConfined()) {
            for (Forms form : Forms.values()) {
                if (form != Forms.FLOAT_ARRAY) { // runCase's
                    runForm(form, arena, candidate, reference, seed, so, n, xOff, yOff, m, floatInput, doubleInput,
                            bits, sentinelWords);
                }
            }
            // Per-channel masks where n is 2 samples of n / 4 channels x 2 positions, in both layouts, on float32
            // arrays and float64 native segments (the glue is one template; these reach every kernel it calls).
            if (n > 0 && n % 4 == 0) {
                for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.channelsFirst(n / 4, 2),
                        ChannelLayout.channelsLast(2, n / 4)}) {
                    for (Forms form : new Forms[] {Forms.FLOAT_ARRAY, Forms.DOUBLE_NATIVE_SEGMENT}) {
                        runForm(form, arena, candidate.perChannel(layout), reference.perChannel(layout), seed, so, n,
                                xOff, yOff, m, floatInput, doubleInput, bits, sentinelWords);
                    }
                }
            }
            // Many small samples whose decisions run past a word (samples of 3 and of 2 rows of 5): the vector
            // spread of keep bits reads a second decision word only there, and until stop 31 a spread that never
            // read it passed (found by a review helper). float32 arrays: the spread is shared by every form.
            for (ChannelLayout layout : new ChannelLayout[] {ChannelLayout.channelsLast(1, 3),
                    ChannelLayout.channelsLast(2, 5)}) {
                if (n > 0 && n % ((long) layout.channels() * layout.positions()) == 0) {
                    runForm(Forms.FLOAT_ARRAY, arena, candidate.perChannel(layout), reference.perChannel(layout),
                            seed, so, n, xOff, yOff, m, floatInput, doubleInput, bits, sentinelWords);
                }
            }
        }
    }

    private void runForm(Forms form, Arena arena, Dropout candidate, Dropout reference, long seed, long so, int n,
                         int xOff, int yOff, int m, MemorySegment floatInput, MemorySegment doubleInput, long[] bits,
                         long[] sentinelWords) {
        FormCase c = new FormCase(form, arena, candidate, reference,
                form + " " + candidate + " seed=" + seed + " streamOffset=" + so + " n=" + n,
                form.elementBytes == Float.BYTES ? floatInput : doubleInput, yOff + n + GUARD, sentinelWords);
        c.compare("forward", null, false, (f, d, x, y, k) -> f.forward(d, seed, so, x, xOff, y, yOff, n));
        c.compare("forward+mask", null, false,
                (f, d, x, y, k) -> f.forward(d, seed, so, x, xOff, y, yOff, n, k, m));
        c.compare("mask", null, false, (f, d, x, y, k) -> f.mask(d, seed, so, k, m, n));
        c.compare("backward by regeneration", null, false,
                (f, d, x, y, k) -> f.backward(d, seed, so, x, xOff, y, yOff, n));
        c.compare("backward from bits", bits, false, (f, d, x, y, k) -> f.backward(d, k, m, x, xOff, y, yOff, n));
        c.compare("eval", null, false, (f, d, x, y, k) -> f.eval(d, x, xOff, y, yOff, n));
        c.compare("forward in-place", null, true, (f, d, x, y, k) -> f.forward(d, seed, so, x, xOff, x, xOff, n));
        operations += OPERATIONS_PER_FORM;
    }

    /** One operation of one form on one side. */
    @FunctionalInterface
    private interface FormCall {
        void run(Forms form, Dropout dropout, Object x, Object y, Object mask);
    }

    /** The buffers of one case of one form, from which each operation gets fresh copies on each side. */
    private final class FormCase {
        private final Forms form;
        private final Arena arena;
        private final Dropout candidate;
        private final Dropout reference;
        private final String at;
        private final MemorySegment input;
        private final MemorySegment sentinelOutput;
        private final long[] sentinelWords;

        FormCase(Forms form, Arena arena, Dropout candidate, Dropout reference, String at, MemorySegment input,
                 int outLength, long[] sentinelWords) {
            this.form = form;
            this.arena = arena;
            this.candidate = candidate;
            this.reference = reference;
            this.at = at;
            this.input = input;
            this.sentinelOutput = form.elementBytes == Float.BYTES ? MemorySegment.ofArray(floats(outLength))
                    : MemorySegment.ofArray(doubles(outLength));
            this.sentinelWords = sentinelWords;
        }

        /**
         * Runs one operation on the candidate in this form and on the reference on arrays, each on its own copies,
         * and compares outputs, masks and inputs as bytes; and the guard bytes around native segments. In place,
         * the inputs are outputs and are compared between the sides.
         */
        void compare(String what, long[] bits, boolean inPlace, FormCall call) {
            Forms ref = form.reference();
            List<MemorySegment> natives = new ArrayList<>();
            Object xc = form.data(arena, input, natives), xr = ref.data(arena, input, natives);
            Object yc = form.data(arena, sentinelOutput, natives), yr = ref.data(arena, sentinelOutput, natives);
            long[] maskIn = bits != null ? bits : sentinelWords;
            Object mc = form.mask(arena, maskIn, natives), mr = ref.mask(arena, maskIn, natives);
            call.run(form, candidate, xc, yc, mc);
            call.run(ref, reference, xr, yr, mr);
            String where = what + " " + at;
            if (inPlace) {
                bytesDiffer(where + " values", xc, Forms.bytes(xr), "reference");
            } else {
                bytesDiffer(where + " values", yc, Forms.bytes(yr), "reference");
                bytesDiffer("candidate wrote into its input: " + where, xc, input, "was");
            }
            bytesDiffer(where + " mask", mc, Forms.bytes(mr), "reference");
            if (bits != null) {
                bytesDiffer("candidate wrote into its input: " + where + " mask bits", mc,
                        MemorySegment.ofArray(bits), "was");
            }
            for (MemorySegment block : natives) {
                if (!Forms.guardsIntact(block)) {
                    mismatch("wrote outside its segment: " + where);
                }
            }
        }

        private void bytesDiffer(String what, Object actual, MemorySegment expected, String expectedName) {
            Verifier.this.bytesDiffer(what, actual, expected, expectedName, form.elementBytes);
        }
    }

    /** One operation on one side: reads {@code in}, writes {@code out} and, depending on the operation, {@code mask}. */
    @FunctionalInterface
    private interface Call {
        void run(float[] in, float[] out, long[] mask);
    }

    /** The buffers of one case, from which each operation gets fresh copies. */
    private final class Case {
        final String at;
        private final float[] x;
        private final int outLength;
        private final int maskLength;

        Case(String at, float[] x, int outLength, int maskLength) {
            this.at = at;
            this.x = x;
            this.outLength = outLength;
            this.maskLength = maskLength;
        }

        /**
         * Runs one operation on each side, each with its own copy of the input, a sentinel-filled output and
         * a mask that is the given bits (an input, which must come back unchanged) or, when {@code bits} is
         * null, sentinel words (an output); then compares outputs, masks and inputs by raw bits.
         */
        void compare(String what, long[] bits, Call candidate, Call reference) {
            float[] xc = x.clone(), xr = x.clone();
            float[] yc = floats(outLength), yr = floats(outLength);
            long[] mc = bits != null ? bits.clone() : words(maskLength);
            long[] mr = bits != null ? bits.clone() : words(maskLength);
            candidate.run(xc, yc, mc);
            reference.run(xr, yr, mr);
            Verifier.this.compare(what + " values " + at, yc, yr);
            Verifier.this.compare(what + " mask " + at, mc, mr);
            unchanged(what + " input " + at, x, xc, xr);
            if (bits != null) {
                unchanged(what + " mask bits " + at, bits, mc, mr);
            }
        }
    }

    /** Magnitudes of the random inputs, 1e-3 to 1e3 (a table: {@code Math.pow} per element was a tenth of the run). */
    private static final double[] POWERS_OF_TEN = {1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3};

    /** Random floats with NaNs (quiet, signalling, with payloads), infinities, signed zeros and subnormals mixed in. */
    private static float[] inputs(SplittableRandom random, int length) {
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7f80_0001), Float.intBitsToFloat(0xffc0_0042),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3,
                Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f};
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextInt(8) == 0 ? special[random.nextInt(special.length)]
                    : (float) (random.nextGaussian() * POWERS_OF_TEN[random.nextInt(POWERS_OF_TEN.length)]);
        }
        return x;
    }

    /** Random doubles with the same kinds of special values as {@link #inputs}. */
    private static double[] doubleInputs(SplittableRandom random, int length) {
        double[] special = {Double.NaN, Double.longBitsToDouble(0x7ff0_0000_0000_0001L),
                Double.longBitsToDouble(0xfff8_0000_0000_0042L), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                0.0, -0.0, Double.MIN_VALUE, -Double.MIN_NORMAL / 3, Double.MAX_VALUE, -Double.MAX_VALUE, 1.0};
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextInt(8) == 0 ? special[random.nextInt(special.length)]
                    : random.nextGaussian() * POWERS_OF_TEN[random.nextInt(POWERS_OF_TEN.length)];
        }
        return x;
    }

    private static double[] doubles(int length) {
        double[] a = new double[length];
        java.util.Arrays.fill(a, SENTINEL_DOUBLE);
        return a;
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
        differ(what, candidate, reference, "reference");
    }

    private void compare(String what, double[] candidate, double[] reference) {
        differ(what, candidate, reference, "reference");
    }

    private void compare(String what, long[] candidate, long[] reference) {
        differ(what, candidate, reference, "reference");
    }

    /** The candidate's and the reference's copies of an input still equal the original, bit for bit. */
    private void unchanged(String what, float[] original, float[] candidate, float[] reference) {
        differ("candidate wrote into its input: " + what, candidate, original, "was");
        differ("reference wrote into its input: " + what, reference, original, "was");
    }

    private void unchanged(String what, long[] original, long[] candidate, long[] reference) {
        differ("candidate wrote into its input: " + what, candidate, original, "was");
        differ("reference wrote into its input: " + what, reference, original, "was");
    }

    /** Records the first index where {@code actual} and {@code expected} differ by raw bits, if any. */
    private void differ(String what, float[] actual, float[] expected, String expectedName) {
        // By bytes, not Arrays.mismatch(float[], ...), which takes NaNs with different payloads as equal.
        long at = MemorySegment.ofArray(actual).mismatch(MemorySegment.ofArray(expected));
        if (at >= 0) {
            int i = (int) (at / Float.BYTES);
            mismatch(what + ": array index " + i + " is 0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i]))
                    + ", " + expectedName + " 0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i])));
        }
    }

    private void differ(String what, double[] actual, double[] expected, String expectedName) {
        long at = MemorySegment.ofArray(actual).mismatch(MemorySegment.ofArray(expected)); // by bytes, as floats
        if (at >= 0) {
            int i = (int) (at / Double.BYTES);
            mismatch(what + ": array index " + i + " is 0x" + Long.toHexString(Double.doubleToRawLongBits(actual[i]))
                    + ", " + expectedName + " 0x" + Long.toHexString(Double.doubleToRawLongBits(expected[i])));
        }
    }

    private void differ(String what, long[] actual, long[] expected, String expectedName) {
        int i = java.util.Arrays.mismatch(actual, expected);
        if (i >= 0) {
            mismatch(what + ": mask word " + i + " is 0x" + Long.toHexString(actual[i]) + ", " + expectedName
                    + " 0x" + Long.toHexString(expected[i]));
        }
    }

    private void mismatch(String description) {
        if (mismatches++ == 0) {
            first = description;
        }
    }
}
