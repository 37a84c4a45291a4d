package dev.vecdrop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Pays the JIT's start-up cost at start-up instead of on the first requests.
 *
 * <p>Until C2 has compiled them, Vector API kernels run in the interpreter or C1, box every vector, allocate
 * megabytes per call and run hundreds of times slower (docs/benchmarks.md, "Warm-up"). {@link #run()} drives
 * every kernel of the implementation this JVM picked, through the public entry points, on a private buffer:
 * training forward with and without a mask, the mask alone, both backwards, eval of both scalings, even and odd
 * stream offsets, region lengths with and without a vector tail, and the chunked path of
 * {@link ParallelDropout} (on the calling thread), and the normal stream's {@link NormalStream#fill} with the
 * float32 gaussian dropout and noise forwards that run it and their vector combinations; and, every fourth round,
 * float64 arrays (the gaussian layers' too), float32 and float64 native segments, per-channel masks in both
 * layouts, per-channel gaussian noise over long channels-first runs, element-wise alpha dropout and the fused
 * kernels ({@link FusedDropout}: each activation, float32 and float64, arrays and native segments). Heap segments
 * are not warmed up: mixing them with native ones in one warm-up keeps C2 recompiling a segment kernel (with heap
 * segments added, the float32 mask kernel trapped 43 times on a hoisted loop check, {@code profile_predicate}, and
 * 2 of 3 warm-ups did not settle in 10 s; stop 29), so it may not settle; a caller of heap segments warms them up
 * by using them.
 * It repeats this in rounds, at least {@value #MIN_ROUNDS}, until
 * the JIT has finished with them: for {@value #QUIET_MILLIS} ms no round of the single-call operations has
 * allocated anything (interpreted or C1-compiled vector code boxes, so allocates) and the JVM's total
 * compilation time has not grown (C2 is done: an allocation-free round alone can still be C1 code calling a
 * C2-compiled loop, replaced a few milliseconds later), and, where the JVM lists its compile queue (the
 * {@code compilerQueue} diagnostic command of {@code jdk.management}), no compilation of the warmed code is running
 * or queued. The compilation time grows only when a compilation ends, and one C2 compilation took up to 160 ms on an
 * idle 2-core VM: with two busy loops beside it, 1 of 3 warm-ups fell quiet while C2 was compiling a warmed method
 * with another queued (stop 28), code a request would then have been the first to run. It stops at the time limit
 * otherwise. Where the JVM
 * cannot count allocated bytes (no {@code jdk.management}) or compilation time, it runs {@value #MIN_ROUNDS}
 * rounds and reports {@code settled = false}.
 *
 * <p>Call it once, before serving: it took 5.9-6.8 s (C2 compiled for 6.3 s of one) at 512 bits and 5.8 s with
 * AVX2 on a 2-core VM (stop 21, Temurin 25.0.3, settled every time; 6.2-8.6 s at 512 bits in a slower hour of
 * stop 22, before and after the normal fill became three passes, no difference shown; 3.6-3.9 s when float64, segments and
 * per-channel masks came in, 1.6-1.9 s before them; the kernels C2 compiles have grown since; 6.5-7.5 s at 512 bits
 * once every {@link ParallelDropout} form and a {@link DropoutLayer} of each shortcut came in, stop 28; 5.6-6.5 s
 * once no compilation failed a class speculation any more, stop 29; 8.1-8.3 s at 512 bits and 8.8-10.2 s with
 * AVX2 once the fused kernels and element-wise alpha dropout came in, stop 31, against 6.1-6.8 and 6.6 s before
 * them in the same hour; 8.9-9.2 s and 9.6-10.7 s once every tail came at both parities, stop 32), inside
 * {@link #DEFAULT_LIMIT} (20 s since stop 31, 10 s before), by about 2x: a slower or busier machine can reach it.
 * While other threads keep the JIT busy (a service starting up around it) it cannot tell its own compilations from
 * theirs and may run to the limit.
 * Results of later calls are unaffected (warm-up uses its own buffers; nothing is shared).
 *
 * <p>Thread-safety: safe to call from any thread, any number of times. Allocation: a few buffers and layouts per
 * call (a few hundred KB; each short per-channel layout holds a 16.5 KiB decision table), the compile queue's text
 * each time it is read (and the platform MBean server, on the JVM's first use), and whatever the JIT's
 * not-yet-compiled code allocates while it runs.
 */
public final class WarmUp {

    /**
     * The fewest rounds a warm-up that can tell when the JIT is done runs, so that C2 has seen every branch's
     * profile before it compiles; the time limit ends it sooner if it comes first.
     */
    public static final int MIN_ROUNDS = 300;
    /** How long no round may allocate and no compilation may finish before the kernels count as compiled. */
    public static final int QUIET_MILLIS = 100;
    /** Default time limit of {@link #run()}. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(20);

    private static final int LENGTH = 4096 + 63; // a vector body, a tail, and a partial mask word at every width
    /** The gaussian layers run the fill's passes and their combinations: warmed with it, float32 and float64. */
    private static final GaussianDropout GAUSSIAN_DROPOUT = GaussianDropout.of(0.25);
    private static final GaussianNoise GAUSSIAN_NOISE = GaussianNoise.of(0.5);
    /** Per-channel noise, channels first, runs of 40 (a vector loop and a tail per run at every width). */
    private static final GaussianNoise NOISE_RUNS = GAUSSIAN_NOISE.perChannel(ChannelLayout.channelsFirst(3, 40));
    private static final int NOISE_RUNS_SAMPLE = NOISE_RUNS.layout().channels() * NOISE_RUNS.layout().positions();
    /**
     * Per-channel gaussian layers, channels last: 64 channels, rows combined where the fill left the normals
     * (whole vectors at every width; with 16, a row is one vector at 512 bits and the row loop's wrap-around is
     * always taken, and C2 trapped on the first 64-channel call after the warm-up), and 24, laid out per sample.
     * Both samples are 128 or more elements; 17 or more of the first pass a block of normals (16 samples' worth),
     * so a call refills it.
     */
    private static final ChannelLayout[] CHANNELS_LAST = {ChannelLayout.channelsLast(2, 64),
        ChannelLayout.channelsLast(6, 24)};
    private static final GaussianDropout[] DROPOUT_CHANNELS_LAST = {GAUSSIAN_DROPOUT.perChannel(CHANNELS_LAST[0]),
        GAUSSIAN_DROPOUT.perChannel(CHANNELS_LAST[1])};
    private static final GaussianNoise[] NOISE_CHANNELS_LAST = {GAUSSIAN_NOISE.perChannel(CHANNELS_LAST[0]),
        GAUSSIAN_NOISE.perChannel(CHANNELS_LAST[1])};
    /**
     * Channels first, runs of 64 (whole vectors at every width): all of a block's runs in one vector loop. These
     * calls are whole samples; the chunks of a segment call or of {@link ParallelGaussian} also cut rows and runs,
     * whose edges go through the block and run-at-a-time combinations warmed here, but the branches that pick them
     * are not taken in the warm-up and may cost a deoptimisation on a first cut call.
     */
    private static final ChannelLayout WHOLE_RUNS = ChannelLayout.channelsFirst(4, 64);
    private static final GaussianDropout DROPOUT_WHOLE_RUNS = GAUSSIAN_DROPOUT.perChannel(WHOLE_RUNS);
    private static final GaussianNoise NOISE_WHOLE_RUNS = GAUSSIAN_NOISE.perChannel(WHOLE_RUNS);
    /**
     * Short layouts, whose normals are laid out over the elements by their decisions: channels-first runs of 12 (a
     * permute a vector) and channels-last samples that take each lay-out at 16, 8 and 4 lanes (stop 28): 4 rows of 2
     * (a permute of one vector of normals at all three), 4 rows of 3 (one at 16 and 8, two at 4), 2 rows of 7 (one at
     * 16, two at 8, a gather at 4), 2 rows of 17 (two at 16, a gather at 8) and 2 rows of 18 (a gather at 16 and 8).
     * Without these, the first such call after the warm-up ran the Vector API uncompiled (2.3 MB allocated, stop 26;
     * at 4 lanes without the samples of 4 rows of 2, 864 KB for their first forward, noise and float64 backward,
     * stop 28).
     */
    private static final ChannelLayout[] SHORT = {ChannelLayout.channelsFirst(3, 12), ChannelLayout.channelsLast(4, 2),
        ChannelLayout.channelsLast(4, 3), ChannelLayout.channelsLast(2, 7), ChannelLayout.channelsLast(2, 17),
        ChannelLayout.channelsLast(2, 18)};
    private static final GaussianDropout[] DROPOUT_SHORT = new GaussianDropout[SHORT.length];
    private static final GaussianNoise[] NOISE_SHORT = new GaussianNoise[SHORT.length];

    static {
        for (int k = 0; k < SHORT.length; k++) {
            DROPOUT_SHORT[k] = GAUSSIAN_DROPOUT.perChannel(SHORT[k]);
            NOISE_SHORT[k] = GAUSSIAN_NOISE.perChannel(SHORT[k]);
        }
    }
    /**
     * Three executor classes that all run a task on the calling thread: the chunked path's
     * {@code executor.execute} call site then compiles megamorphic, so a caller's own executor class later does
     * not hit a type guard and deoptimise it.
     */
    private static final Executor[] CALLER_RUNS = {Runnable::run, new CallerRuns(), new AnotherCallerRuns()};

    /**
     * What a warm-up did. Thread-safety: immutable. Allocation: made once per {@link #run} call.
     *
     * @param rounds         rounds of every operation run
     * @param nanos          time taken
     * @param settled        whether the last {@value #QUIET_MILLIS} ms saw no allocation and no compilation, and
     *                       (where the JVM lists it) no compilation of the warmed code was running or queued
     * @param implementation the kernels warmed up ({@link Vectorization#implementation()})
     */
    public record Report(int rounds, long nanos, boolean settled, String implementation) {}

    private WarmUp() {}

    /**
     * Warms up with {@link #DEFAULT_LIMIT}.
     *
     * @return what was run and whether it settled
     */
    public static Report run() {
        return run(DEFAULT_LIMIT);
    }

    /**
     * Warms up, stopping after {@code limit} even if compilation has not shown.
     *
     * @param limit the longest the warm-up runs (one past 292 years counts as 292 years)
     * @return what was run and whether it settled
     * @throws NullPointerException if {@code limit} is null
     */
    public static Report run(Duration limit) {
        long budget = limit.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : limit.toNanos();
        float[] x = new float[LENGTH];
        float[] y = new float[LENGTH];
        long[] mask = new long[Dropout.maskWords(LENGTH)];
        for (int i = 0; i < LENGTH; i++) {
            x[i] = (i % 97) * 0.125f - 6;
        }
        Dropout inverted = Dropout.inverted(0.5);
        Dropout classic = Dropout.classic(0.25);
        Dropout keepAll = Dropout.inverted(0.0);
        Dropout dropAll = Dropout.inverted(1.0);
        Forms forms = new Forms(x, inverted, classic);
        Dropout[] segmentDropouts = {inverted, classic, keepAll, dropAll};
        // A layer of each: its forms call the single-call methods from call sites of their own (as the chunks do).
        DropoutLayer[] layers = new DropoutLayer[segmentDropouts.length];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new DropoutLayer(segmentDropouts[i], i);
        }
        // Two "threads" on the caller: the chunked path's code is what runs on pool threads.
        ParallelDropout[] parallel = new ParallelDropout[CALLER_RUNS.length];
        ParallelGaussian[] parallelGaussian = new ParallelGaussian[CALLER_RUNS.length];
        for (int i = 0; i < parallel.length; i++) {
            parallel[i] = ParallelDropout.of(inverted, CALLER_RUNS[i], 2).withMinParallelLength(2048)
                    .withMinChunkLength(1024);
            parallelGaussian[i] = ParallelGaussian.of(GAUSSIAN_DROPOUT, CALLER_RUNS[i], 2).withMinParallelLength(2048)
                    .withMinChunkLength(1024);
        }
        // The shortcuts through the segment forms' chunks, which call the single-call methods from call sites of
        // their own: C2 may compile such a method on its own there while the single calls inline it, and a service's
        // first drop-all float64 ParallelDropout call then trapped in code no warm-up call had run (CI, stop 27).
        ParallelDropout[] parallelShortcuts = new ParallelDropout[2];
        for (int i = 0; i < parallelShortcuts.length; i++) {
            parallelShortcuts[i] = ParallelDropout.of(i == 0 ? keepAll : dropAll, CALLER_RUNS[i], 2)
                    .withMinParallelLength(2048).withMinChunkLength(1024);
        }
        double[] xd = new double[LENGTH];
        double[] yd = new double[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            xd[i] = x[i];
        }
        AllocationCounter counter = AllocationCounter.create();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean canTell = counter.works() && jit != null && jit.isCompilationTimeMonitoringSupported();
        CompileQueue queue = canTell ? CompileQueue.create() : CompileQueue.NONE;
        long start = System.nanoTime();
        long lastActivity = start;
        long compiled = canTell ? jit.getTotalCompilationTime() : 0;
        int rounds = 0;
        while (true) {
            long before = counter.bytes();
            round(rounds, inverted, classic, x, y, mask);
            shortcuts(rounds, keepAll, dropAll, x, y, mask);
            forms.round(rounds, inverted, classic);
            forms.segmentEdges(rounds, segmentDropouts, layers);
            normals(rounds, y);
            long allocated = counter.bytes() - before;
            // Allocates its jobs: not counted.
            parallelRound(rounds, parallel[rounds % parallel.length], parallelGaussian[rounds % parallel.length], x,
                    y, xd, yd, mask);
            forms.parallelRound(rounds, parallel[rounds % parallel.length]);
            forms.parallelRound(rounds, parallelShortcuts[(rounds >> 4) & 1]); // each at both parities
            rounds++;
            long now = System.nanoTime();
            long compiledNow = canTell ? jit.getTotalCompilationTime() : 0;
            if (allocated != 0 || compiledNow != compiled) {
                lastActivity = now;
                compiled = compiledNow;
            }
            boolean settled = canTell && now - lastActivity >= QUIET_MILLIS * 1_000_000L;
            // Read once the rounds are quiet, outside the counted calls (it allocates a string), and at most once a
            // quiet spell (each read is a safepoint): a compilation running counts as activity.
            if (settled && queue.compilingWarmedCode()) {
                lastActivity = now;
                settled = false;
            }
            if ((rounds >= MIN_ROUNDS && (settled || !canTell)) || now - start > budget) {
                return new Report(rounds, now - start, settled, Vectorization.implementation());
            }
        }
    }

    /** Every single-call operation once or twice, lengths and stream parities varying with the round. */
    private static void round(int r, Dropout inverted, Dropout classic, float[] x, float[] y, long[] mask) {
        int n = LENGTH - (r & 63); // every tail length over 64 rounds
        // Parities swap every round: each kernel variant is a method of its own, and one that only ever saw odd
        // (or even) stream offsets would be compiled without the other branch and deoptimise on its first use.
        long even = 2L * r + (r & 1);
        long odd = even ^ 1;
        inverted.forward(r, even, x, 0, y, 0, n);
        inverted.forward(r, odd, x, 0, y, 0, n);
        inverted.forward(r, odd, x, 0, y, 0, n, mask, 0);
        classic.forward(r, even, x, 0, y, 0, n, mask, 0);
        inverted.mask(r, odd, mask, 0, n);
        classic.mask(r, even, mask, 0, n);
        inverted.backward(r, even, y, 0, y, 0, n);
        classic.backward(r, odd, x, 0, y, 0, n);
        inverted.backward(mask, 0, x, 0, y, 0, n);
        classic.backward(mask, 0, y, 0, y, 0, n);
        inverted.eval(x, 0, y, 0, n);
        classic.eval(x, 0, y, 0, n);
        classic.eval(y, 0, y, 0, 7); // shorter than any vector: the tail alone
        inverted.eval(y, 0, y, 0, n); // in place: nothing to copy
        // Shorter than any vector, for every variant (each is its own method): the vector loop never entered.
        int tiny = 1 + (r & 3);
        inverted.forward(r, odd, y, 0, y, 0, tiny);
        classic.forward(r, even, x, 0, y, 0, tiny);
        inverted.forward(r, even, x, 0, y, 0, tiny, mask, 0);
        classic.forward(r, odd, x, 0, y, 0, tiny, mask, 0);
        inverted.mask(r, even, mask, 0, tiny);
        inverted.backward(mask, 0, x, 0, y, 0, tiny);
        classic.backward(mask, 0, x, 0, y, 0, tiny);
    }

    /**
     * The normal stream's fill ({@link NormalStream#fill}), into the caller's buffer (a round must not allocate):
     * short fills, several a round, at even and odd starts (an odd one computes its first value by itself) and
     * every tail length; lengths shorter than any vector, 0 included; and, every 16th round, a long one. Short,
     * because until C1 and then C2 have compiled the fill every vector operation runs interpreted or boxed
     * (microseconds each): what gets it compiled is the number of calls and loop iterations, and short calls
     * reach those counts at the least cost.
     */
    private static void normals(int r, float[] y) {
        for (int i = 0; i < 8; i++) {
            int k = 8 * r + i;
            NormalStream.fill(r, k, y, 0, 16 + (k & 63)); // k's parity alternates: even and odd starts
        }
        NormalStream.fill(r, r, y, 0, r & 3);
        // In place: the values stay finite (factors and noise are bounded), whatever the round.
        GAUSSIAN_DROPOUT.forward(r, r, y, 0, y, 0, 64 + (r & 63));
        GAUSSIAN_NOISE.forward(r, r + 1, y, 0, y, 0, 64 + (r & 63));
        if ((r & 15) == 0) {
            NormalStream.fill(r, 2L * r + ((r >> 4) & 1), y, 0, y.length - ((r >> 4) & 63));
        }
    }

    /**
     * {@code 0..63}, every value over 512 rounds, for the calls of the rounds that run every fourth round ({@code r} a
     * multiple of 4 there, bit 2 their stream parity): the bits above the parity count the tail, so that each tail
     * comes at both parities. With {@code r & 63} those rounds saw only 16 of the 64 tails (remainders 3, 7, 11, 15
     * of 16), and an odd start hands the even kernel one element fewer: alpha's masked even kernel, run only from
     * them, never saw a length of whole words, deoptimised on its first after the warm-up and allocated 6-285 KB a
     * call until recompiled (a review helper's probe, stop 32).
     */
    private static int quarterTail(int r) {
        return (r >> 3) & 63;
    }

    /** The keep-all and drop-all shortcuts (p = 0, p = 1), which never reach a kernel. */
    private static void shortcuts(int r, Dropout keepAll, Dropout dropAll, float[] x, float[] y, long[] mask) {
        if ((r & 3) != 0) {
            return;
        }
        int n = 100 + quarterTail(r);
        shortcut(r, n, keepAll, x, y, mask); // every branch of both shortcuts: none left to trap later
        shortcut(r, n, dropAll, x, y, mask);
    }

    private static void shortcut(int r, int n, Dropout d, float[] x, float[] y, long[] mask) {
        d.forward(r, r, x, 0, y, 0, n);
        d.forward(r, r, y, 0, y, 0, n);
        d.forward(r, r, x, 0, y, 0, n, mask, 0);
        d.mask(r, r, mask, 0, n);
        d.backward(r, r, x, 0, y, 0, n);
        d.backward(mask, 0, x, 0, y, 0, n);
        d.eval(x, 0, y, 0, n);
    }

    /**
     * The other forms, every fourth round: float64 arrays, float32 and float64 native segments, and
     * per-channel masks in both layouts. Their buffers come from an automatic arena, freed with this object.
     */
    private static final class Forms {
        /** {@link #segmentEdges}' fixed lengths: many whole mask words, one, a single element, and none. */
        private static final int[] WHOLE_WORDS = {4096, 64, 1, 0};
        /** {@link #parallelRound}'s lengths: split over the two callers' "threads", and inline. */
        private static final int[] SPLIT_AND_INLINE = {LENGTH, 100};

        private static final int CHANNELS = 69;
        /** Rows of the fused kernels: a vector body and a tail at every width. */
        private static final int FUSED_FEATURES = 67;
        private final double[] xd = new double[LENGTH];
        private final double[] yd = new double[LENGTH];
        private final long[] mask = new long[Dropout.maskWords(LENGTH)];
        private final MemorySegment nativeX;
        private final MemorySegment nativeY;
        private final MemorySegment nativeMask;
        private final float[] xf;
        private final float[] yf = new float[LENGTH];
        private final Dropout[] perChannel;
        /** Element-wise alpha dropout (the per-channel forms above are alpha's only other calls). */
        private final Dropout alpha = Dropout.alpha(0.1);
        /**
         * The fused kernels, one a round in turn: each activation with inverted dropout, and ReLU with classic (its
         * unscaled variant), each with its own kernels for float32, float64, arrays and segments.
         */
        private final FusedDropout[] fused;
        private final float[] bias = new float[FUSED_FEATURES];
        private final float[] dBias = new float[FUSED_FEATURES];
        private final double[] biasd = new double[FUSED_FEATURES];
        private final double[] dBiasd = new double[FUSED_FEATURES];
        private final MemorySegment nativeBias;
        private final MemorySegment nativeDBias;

        Forms(float[] x, Dropout inverted, Dropout classic) {
            xf = x;
            for (int i = 0; i < LENGTH; i++) {
                xd[i] = x[i];
            }
            Arena arena = Arena.ofAuto();
            nativeX = arena.allocate((long) LENGTH * Double.BYTES).copyFrom(MemorySegment.ofArray(xd));
            nativeY = arena.allocate((long) LENGTH * Double.BYTES);
            nativeMask = arena.allocate((long) mask.length * Long.BYTES);
            // 69 channels: a sample's decisions straddle mask words. Runs of 7, rows of 12 and samples of 2 rows of 7
            // go through a block's keep bits (scaled, passed through, alpha's affine), rows of 69 a sample at a
            // time. Built here: a round must not allocate.
            ChannelLayout runs = ChannelLayout.channelsFirst(CHANNELS, 7);
            ChannelLayout rows = ChannelLayout.channelsLast(7, 12);
            ChannelLayout smallSamples = ChannelLayout.channelsLast(2, 7);
            Dropout alpha = Dropout.alpha(0.1);
            perChannel = new Dropout[] {inverted.perChannel(runs), inverted.perChannel(rows),
                    inverted.perChannel(ChannelLayout.channelsLast(7, CHANNELS)), classic.perChannel(rows),
                    classic.perChannel(runs), alpha.perChannel(runs), alpha.perChannel(rows),
                    inverted.perChannel(smallSamples), alpha.perChannel(smallSamples),
                    // 16 decisions a sample: some calls draw whole words of decisions, at both parities (with 69
                    // channels none did, and the float64 mask kernel trapped on its first such call after the
                    // warm-up: 19-156 KB a call for a thousand calls, a review helper's probe, stop 32)
                    inverted.perChannel(ChannelLayout.channelsFirst(16, 7))};
            fused = new FusedDropout[] {FusedDropout.of(inverted, Activation.relu()),
                    FusedDropout.of(inverted, Activation.identity()),
                    FusedDropout.of(inverted, Activation.leakyRelu(0.01f)),
                    FusedDropout.of(classic, Activation.relu())};
            for (int j = 0; j < FUSED_FEATURES; j++) {
                bias[j] = (j % 7) * 0.25f - 0.75f;
                biasd[j] = bias[j];
            }
            nativeBias = arena.allocate((long) FUSED_FEATURES * Double.BYTES).copyFrom(MemorySegment.ofArray(biasd));
            nativeDBias = arena.allocate((long) FUSED_FEATURES * Double.BYTES);
        }

        /**
         * Element-wise alpha dropout and the fused kernels, whose first calls after a warm-up without them allocated
         * 0.5-2.7 MB each (a review helper's probe, stop 31): every operation over float32 and float64 arrays and
         * native segments, one fused dropout a round in turn, 1 to 16 rows.
         */
        void fusedAndAlpha(int r, long offset) {
            int n = (1 + ((r >> 2) & 15)) * FUSED_FEATURES;
            FusedDropout f = fused[(r >> 2) % fused.length];
            f.forward(r, offset, xf, 0, bias, 0, yf, 0, n, FUSED_FEATURES);
            f.forward(r, offset, xf, 0, bias, 0, yf, 0, n, FUSED_FEATURES, mask, 0);
            f.backward(r, offset, yf, 0, xf, 0, yf, 0, n, FUSED_FEATURES, dBias, 0);
            f.backward(r, offset, yf, 0, xf, 0, yf, 0, n, FUSED_FEATURES, null, 0);
            f.residualForward(r, offset, xf, 0, xf, 0, yf, 0, n);
            f.residualBackward(r, offset, xf, 0, yf, 0, n);
            f.forward(r, offset, xd, 0, biasd, 0, yd, 0, n, FUSED_FEATURES);
            f.forward(r, offset, xd, 0, biasd, 0, yd, 0, n, FUSED_FEATURES, mask, 0);
            f.backward(r, offset, yd, 0, xd, 0, yd, 0, n, FUSED_FEATURES, dBiasd, 0);
            f.residualForward(r, offset, xd, 0, xd, 0, yd, 0, n);
            FusedFloatSegmentDropout floats = f.floatSegments();
            floats.forward(r, offset, nativeX, 0, nativeBias, 0, nativeY, 0, n, FUSED_FEATURES);
            floats.forward(r, offset, nativeX, 0, nativeBias, 0, nativeY, 0, n, FUSED_FEATURES, nativeMask, 0);
            floats.backward(r, offset, nativeY, 0, nativeX, 0, nativeY, 0, n, FUSED_FEATURES, nativeDBias, 0);
            floats.residualForward(r, offset, nativeX, 0, nativeX, 0, nativeY, 0, n);
            FusedDoubleSegmentDropout doubles = f.doubleSegments();
            doubles.forward(r, offset, nativeX, 0, nativeBias, 0, nativeY, 0, n, FUSED_FEATURES);
            doubles.forward(r, offset, nativeX, 0, nativeBias, 0, nativeY, 0, n, FUSED_FEATURES, nativeMask, 0);
            doubles.backward(r, offset, nativeY, 0, nativeX, 0, nativeY, 0, n, FUSED_FEATURES, nativeDBias, 0);
            doubles.residualForward(r, offset, nativeX, 0, nativeX, 0, nativeY, 0, n);
            int length = LENGTH - quarterTail(r);
            alpha.forward(r, offset, xf, 0, yf, 0, length);
            alpha.forward(r, offset, xf, 0, yf, 0, length, mask, 0);
            alpha.backward(r, offset, xf, 0, yf, 0, length);
            alpha.backward(mask, 0, xf, 0, yf, 0, length);
            alpha.forward(r, offset, xd, 0, yd, 0, length);
            alpha.forward(r, offset, xd, 0, yd, 0, length, mask, 0);
            alpha.backward(r, offset, xd, 0, yd, 0, length);
            alpha.floatSegments().forward(r, offset, nativeX, 0, nativeY, 0, length);
            alpha.floatSegments().forward(r, offset, nativeX, 0, nativeY, 0, length, nativeMask, 0);
            alpha.doubleSegments().forward(r, offset, nativeX, 0, nativeY, 0, length);
            // The segment forms' masked forward and backwards too: the float64 masked forward's first calls after
            // a warm-up without it took 803 KB, then 157 KB a call for 2,000 (a review helper, stop 32).
            alpha.doubleSegments().forward(r, offset, nativeX, 0, nativeY, 0, length, nativeMask, 0);
            alpha.doubleSegments().backward(r, offset, nativeX, 0, nativeY, 0, length);
            alpha.doubleSegments().backward(nativeMask, 0, nativeX, 0, nativeY, 0, length);
            alpha.floatSegments().backward(r, offset, nativeX, 0, nativeY, 0, length);
            alpha.floatSegments().backward(nativeMask, 0, nativeX, 0, nativeY, 0, length);
            // Empty masked calls reach the kernels' parity dispatch, whose empty branch would otherwise trap.
            alpha.forward(r, offset, xf, 0, yf, 0, 0, mask, 0);
            alpha.forward(r, offset, xd, 0, yd, 0, 0, mask, 0);
            alpha.floatSegments().forward(r, offset, nativeX, 0, nativeY, 0, 0, nativeMask, 0);
            alpha.doubleSegments().forward(r, offset, nativeX, 0, nativeY, 0, 0, nativeMask, 0);
        }

        /**
         * {@link ParallelDropout}'s segment forms on the native segments, split and inline, at even and odd stream
         * offsets: their chunks run the segment kernels from offsets inside the segments, and a service's first such
         * call deoptimised them (WarmUpProbe, stop 27). All eleven, float32 and float64: with three of them, a
         * service's first calls of the others deoptimised 21-33 times (the chunk closures' calls, typed for one
         * dtype, and the float32 segment {@code scale} of classic eval; stop 28).
         */
        void parallelRound(int r, ParallelDropout parallel) {
            if ((r & 7) != 0) {
                return;
            }
            long offset = 2L * r + ((r >> 3) & 1);
            for (int n : SPLIT_AND_INLINE) { // every form, both dtypes: the chunks' call sites see both classes
                parallel.forwardFloats(r, offset, nativeX, 0, nativeY, 0, n);
                parallel.forwardFloats(r, offset, nativeX, 0, nativeY, 0, n, nativeMask, 0);
                parallel.backwardFloats(r, offset, nativeX, 0, nativeY, 0, n);
                parallel.backwardFloats(nativeMask, 0, nativeX, 0, nativeY, 0, n);
                parallel.evalFloats(nativeX, 0, nativeY, 0, n);
                parallel.mask(r, offset, nativeMask, 0, n);
                parallel.forwardDoubles(r, offset, nativeX, 0, nativeY, 0, n);
                parallel.forwardDoubles(r, offset, nativeX, 0, nativeY, 0, n, nativeMask, 0);
                parallel.backwardDoubles(r, offset, nativeX, 0, nativeY, 0, n);
                parallel.backwardDoubles(nativeMask, 0, nativeX, 0, nativeY, 0, n);
                parallel.evalDoubles(nativeX, 0, nativeY, 0, n);
            }
        }

        /**
         * The segment forms at their edges, both scalings and both shortcuts ({@code p = 0}, {@code p = 1}), both
         * stream-offset parities: whole mask words, a single element, none, and tails of 100 to 163. The segment
         * calls of {@link #round} never use a length that is a multiple of 64, nor the shortcuts, and a service's first
         * such calls on segments deoptimised the kernels (WarmUpProbe, stop 27). A layer of each dropout runs its
         * forms at the same lengths ({@link #layerCalls}).
         */
        void segmentEdges(int r, Dropout[] dropouts, DropoutLayer[] layers) {
            if ((r & 3) != 0) {
                return;
            }
            long offset = r + ((r >> 2) & 1);
            for (int k = 0; k < dropouts.length; k++) {
                for (int n : WHOLE_WORDS) {
                    edgeCalls(dropouts[k], r, offset, n);
                    layerCalls(layers[k], n);
                }
                edgeCalls(dropouts[k], r, offset, 100 + quarterTail(r));
                layerCalls(layers[k], 100 + quarterTail(r));
            }
        }

        /**
         * Every form of a {@link DropoutLayer} over {@code n} elements, backwards in place: with the layer's calls
         * left to a service, the first ones deoptimised (WarmUpProbe with every {@code *Trusted} method inlined, stop
         * 28).
         */
        private void layerCalls(DropoutLayer layer, int n) {
            layer.backward(layer.forward(xf, 0, yf, 0, n), yf, 0, yf, 0, n);
            layer.forward(xf, 0, yf, 0, n, mask, 0);
            layer.backward(layer.forward(xd, 0, yd, 0, n), yd, 0, yd, 0, n);
            layer.forward(xd, 0, yd, 0, n, mask, 0);
            layer.backwardFloats(layer.forwardFloats(nativeX, 0, nativeY, 0, n), nativeY, 0, nativeY, 0, n);
            layer.forwardFloats(nativeX, 0, nativeY, 0, n, nativeMask, 0);
            layer.backwardDoubles(layer.forwardDoubles(nativeX, 0, nativeY, 0, n), nativeY, 0, nativeY, 0, n);
            layer.forwardDoubles(nativeX, 0, nativeY, 0, n, nativeMask, 0);
            layer.eval(xf, 0, yf, 0, n);
            layer.eval(xd, 0, yd, 0, n);
            layer.evalFloats(nativeX, 0, nativeY, 0, n);
            layer.evalDoubles(nativeX, 0, nativeY, 0, n);
        }

        /**
         * The edge-length calls of {@code d}: every segment operation that takes a stream offset or a mask, over
         * {@code n} elements, and the float64 array ones: the rounds run float64 arrays at one scaling a call, never
         * the shortcuts nor whole mask words, and a service's first such {@link ParallelDropout} calls deoptimised
         * them (WarmUpProbe, stop 28).
         * Also backwards in place, which a {@link DropoutLayer}'s first in-place calls deoptimised (stop 28).
         */
        private void edgeCalls(Dropout d, int r, long offset, int n) {
            FloatSegmentDropout floats = d.floatSegments();
            DoubleSegmentDropout doubles = d.doubleSegments();
            floats.forward(r, offset, nativeX, 0, nativeY, 0, n);
            floats.forward(r, offset, nativeX, 0, nativeY, 0, n, nativeMask, 0);
            floats.backward(nativeMask, 0, nativeX, 0, nativeY, 0, n);
            floats.backward(r, offset, nativeX, 0, nativeY, 0, n);
            floats.mask(r, offset, nativeMask, 0, n);
            doubles.forward(r, offset, nativeX, 0, nativeY, 0, n, nativeMask, 0);
            doubles.backward(nativeMask, 0, nativeX, 0, nativeY, 0, n);
            doubles.backward(r, offset, nativeX, 0, nativeY, 0, n);
            d.forward(r, offset, xd, 0, yd, 0, n);
            d.forward(r, offset, xd, 0, yd, 0, n, mask, 0);
            d.backward(r, offset, xd, 0, yd, 0, n);
            d.backward(mask, 0, xd, 0, yd, 0, n);
            d.eval(xd, 0, yd, 0, n);
            // In place (a layer's backward, dy into dx): the overlap check's equal starts, a copy that is skipped.
            floats.backward(r, offset, nativeY, 0, nativeY, 0, n);
            doubles.backward(r, offset, nativeY, 0, nativeY, 0, n);
            d.backward(r, offset, yd, 0, yd, 0, n);
        }

        void round(int r, Dropout inverted, Dropout classic) {
            if ((r & 3) != 0) {
                return;
            }
            int n = LENGTH - quarterTail(r);
            long odd = 2L * r + ((r >> 2) & 1); // both parities, alternating between the rounds that run this
            int tiny = 1 + ((r >> 2) & 3);
            inverted.forward(r, odd, xd, 0, yd, 0, tiny);
            classic.forward(r, odd, xd, 0, yd, 0, tiny, mask, 0);
            inverted.forward(r, odd, xd, 0, yd, 0, n);
            classic.forward(r, odd ^ 1, xd, 0, yd, 0, n, mask, 0);
            inverted.forward(r, odd, xd, 0, yd, 0, n, mask, 0);
            inverted.backward(mask, 0, xd, 0, yd, 0, n);
            classic.eval(xd, 0, yd, 0, n);
            // The gaussian layers in float64: the fill, then their float64 vector combine loops; and per-channel
            // noise over long channels-first runs (each run's normal broadcast), float32 and float64.
            GAUSSIAN_DROPOUT.forward(r, odd, xd, 0, yd, 0, 64 + quarterTail(r));
            GAUSSIAN_NOISE.forward(r, odd, xd, 0, yd, 0, 64 + quarterTail(r));
            int runs = (1 + ((r >> 2) & 3)) * NOISE_RUNS_SAMPLE; // r & 3 is 0 here: the next bits count samples
            NOISE_RUNS.forward(r, odd, xf, 0, yf, 0, runs);
            NOISE_RUNS.forward(r, odd, xd, 0, yd, 0, runs);
            for (int k = 0; k < CHANNELS_LAST.length; k++) { // float32, 1 to 32 samples (past a block's normals)
                int sample = CHANNELS_LAST[k].channels() * CHANNELS_LAST[k].positions();
                int samples = Math.min(1 + ((r >> 2) & 31), xf.length / sample) * sample;
                DROPOUT_CHANNELS_LAST[k].forward(r, odd, xf, 0, yf, 0, samples);
                NOISE_CHANNELS_LAST[k].forward(r, odd, xf, 0, yf, 0, samples);
            }
            int wholeRuns = (1 + ((r >> 2) & 7)) * WHOLE_RUNS.channels() * WHOLE_RUNS.positions();
            DROPOUT_WHOLE_RUNS.forward(r, odd, xf, 0, yf, 0, wholeRuns);
            NOISE_WHOLE_RUNS.forward(r, odd, xf, 0, yf, 0, wholeRuns);
            for (int k = 0; k < SHORT.length; k++) { // 1 to 64 samples of 8 to 36 elements, float32 and float64
                int samples = (1 + quarterTail(r)) * SHORT[k].channels() * SHORT[k].positions();
                DROPOUT_SHORT[k].forward(r, odd, xf, 0, yf, 0, samples);
                NOISE_SHORT[k].forward(r, odd, xf, 0, yf, 0, samples);
                DROPOUT_SHORT[k].forward(r, odd, xd, 0, yd, 0, samples);
            }
            // Native segments only (what off-heap frameworks hand over): mixing heap and native segment classes in
            // one warm-up makes C2 trap and recompile the float32 mask kernel round after round (the class comment),
            // so it may not settle; a caller that uses heap segments warms them up by using them.
            FloatSegmentDropout floats = (r & 16) == 0 ? inverted.floatSegments() : classic.floatSegments();
            DoubleSegmentDropout doubles = (r & 8) == 0 ? inverted.doubleSegments() : classic.doubleSegments();
            floats.forward(r, odd, nativeX, 0, nativeY, 0, tiny);
            floats.forward(r, odd, nativeX, 0, nativeY, 0, tiny, nativeMask, 0);
            doubles.forward(r, odd, nativeX, 0, nativeY, 0, tiny, nativeMask, 0);
            floats.forward(r, odd, nativeX, 0, nativeY, 0, n);
            floats.forward(r, odd, nativeX, 0, nativeY, 0, n, nativeMask, 0);
            floats.backward(nativeMask, 0, nativeX, 0, nativeY, 0, n);
            doubles.forward(r, odd, nativeX, 0, nativeY, 0, n);
            doubles.forward(r, odd, nativeX, 0, nativeY, 0, n, nativeMask, 0);
            doubles.backward(nativeMask, 0, nativeX, 0, nativeY, 0, n);
            doubles.eval(nativeX, 0, nativeY, 0, n);
            floats.eval(nativeX, 0, nativeY, 0, n); // classic's scale on float32 segments (inverted's is a copy)
            // 1 to 16 samples (as many as fit): within a block of keep bits (4,096), whose loop takes no branch of its
            // own in a second block (WarmUpProbe's calls over four blocks neither allocate nor deoptimise).
            for (Dropout d : perChannel) {
                int sample = d.layout().channels() * d.layout().positions();
                int length = Math.min(1 + ((r >> 3) & 15), LENGTH / sample) * sample; // bit 2 is odd's parity
                d.forward(r, odd, xf, 0, yf, 0, length);
                d.forward(r, odd, xf, 0, yf, 0, length, mask, 0);
                d.backward(mask, 0, xf, 0, yf, 0, length);
                d.backward(r, odd, xd, 0, yd, 0, length);
                // float64 forwards too: their first calls after a warm-up without them allocated 19-156 KB each for
                // a thousand calls (a review helper's probe, stop 32)
                d.forward(r, odd, xd, 0, yd, 0, length);
                d.forward(r, odd, xd, 0, yd, 0, length, mask, 0);
                d.forward(r, odd, xf, 0, yf, 0, 0, mask, 0); // an empty masked call reaches the mask kernel too
                d.forward(r, odd, xd, 0, yd, 0, 0, mask, 0);
            }
            fusedAndAlpha(r, odd);
        }
    }

    /**
     * The parallel forms, split and inline: float32 dropout (every operation), float64 dropout (forward with mask,
     * backward from it) and gaussian dropout, so their chunk closures are linked and compiled before a request.
     */
    private static void parallelRound(int r, ParallelDropout parallel, ParallelGaussian gaussian, float[] x,
                                      float[] y, double[] xd, double[] yd, long[] mask) {
        if ((r & 7) != 0) {
            return; // the chunk loop compiles fast; the kernels it calls are the ones above
        }
        parallel.forward(r, 2L * r + 1, x, 0, y, 0, x.length, mask, 0);
        parallel.backward(mask, 0, y, 0, y, 0, x.length);
        parallel.eval(x, 0, y, 0, x.length);
        parallel.mask(r, r, mask, 0, x.length);
        parallel.forward(r, 2L * r, xd, 0, yd, 0, xd.length, mask, 0);
        parallel.backward(mask, 0, xd, 0, yd, 0, xd.length);
        gaussian.forward(r, r, x, 0, y, 0, x.length);
        // Each of these methods picks inline or split itself: both branches taken, or C2 compiles one as a trap.
        parallel.forward(r, 2L * r, xd, 0, yd, 0, 100, mask, 0);
        parallel.backward(mask, 0, xd, 0, yd, 0, 100);
        gaussian.forward(r, r, x, 0, y, 0, 100);
        parallel.forward(r, r, x, 0, y, 0, 100); // below the threshold: inline, every operation
        parallel.backward(mask, 0, x, 0, y, 0, 100);
        parallel.eval(x, 0, y, 0, 100);
        parallel.mask(r, r, mask, 0, 100);
    }

    private static final class CallerRuns implements Executor {
        @Override
        public void execute(Runnable task) {
            task.run();
        }
    }

    private static final class AnotherCallerRuns implements Executor {
        @Override
        public void execute(Runnable task) {
            task.run();
        }
    }

    /**
     * Whether the JIT is compiling, or has queued, a method of the code the warm-up runs, read from HotSpot's
     * {@code compilerQueue} diagnostic command (the text {@code jcmd PID Compiler.queue} prints). A read is a
     * safepoint of 0.1-0.2 ms (3-5 ms for the first few), so the warm-up reads it at most once a quiet spell. The
     * compilation time the warm-up watches grows only when a compilation ends, so a quiet spell can fall inside one.
     * Where the command is missing (no {@code jdk.management}, another JVM) this says no, and the warm-up relies on
     * the quiet spell alone, as before stop 28.
     */
    private static final class CompileQueue {
        /** A reader that never reads: where the warm-up cannot tell compilation anyway. */
        static final CompileQueue NONE = new CompileQueue(null, null);
        /**
         * Where the warmed code lives: vecdrop, the Vector API and the memory access it inlines. A line of the
         * queue names a method {@code package.Class::method}; other threads' compilations do not hold the warm-up,
         * nor do the warm-up's own methods ({@link #OWN}), which no request runs.
         */
        private static final String[] WARMED_CODE = {" dev.vecdrop.", " jdk.incubator.vector.",
            " jdk.internal.vm.vector.", " jdk.internal.foreign.", " java.lang.foreign.",
            " jdk.internal.misc.ScopedMemoryAccess"};
        private static final String OWN = " dev.vecdrop.WarmUp";
        private static final String[] SIGNATURE = {String[].class.getName()};

        private final MBeanServer server;
        private final ObjectName command;

        private CompileQueue(MBeanServer server, ObjectName command) {
            this.server = server;
            this.command = command;
        }

        static CompileQueue create() {
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
                CompileQueue queue = new CompileQueue(server, command);
                queue.read(); // throws here, once, where the command is missing
                return queue;
            } catch (JMException | RuntimeException | LinkageError e) {
                return NONE; // no jdk.management, or not allowed: the quiet spell alone
            }
        }

        private String read() throws JMException {
            return (String) server.invoke(command, "compilerQueue", new Object[] {null}, SIGNATURE);
        }

        boolean compilingWarmedCode() {
            if (server == null) {
                return false;
            }
            String queue;
            try {
                queue = read();
            } catch (JMException | RuntimeException e) {
                return false;
            }
            for (String line : queue.split("\n")) {
                if (line.contains("::") && !line.contains(OWN)) {
                    for (String code : WARMED_CODE) {
                        if (line.contains(code)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /** The current thread's allocated bytes, where the JVM can count them. */
    private static final class AllocationCounter {
        private final com.sun.management.ThreadMXBean threads;

        private AllocationCounter(com.sun.management.ThreadMXBean threads) {
            this.threads = threads;
        }

        static AllocationCounter create() {
            try {
                if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                        && t.isThreadAllocatedMemorySupported()) {
                    if (!t.isThreadAllocatedMemoryEnabled()) {
                        t.setThreadAllocatedMemoryEnabled(true);
                    }
                    if (t.getCurrentThreadAllocatedBytes() >= 0) {
                        return new AllocationCounter(t);
                    }
                }
            } catch (LinkageError | UnsupportedOperationException | SecurityException e) {
                // no jdk.management in this runtime, or not allowed: fall back to a fixed number of rounds
            }
            return new AllocationCounter(null);
        }

        boolean works() {
            return threads != null;
        }

        long bytes() {
            return threads == null ? 0 : threads.getCurrentThreadAllocatedBytes();
        }
    }
}
