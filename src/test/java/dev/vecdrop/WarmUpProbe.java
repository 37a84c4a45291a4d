package dev.vecdrop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ForkJoinPool;

/**
 * Run in a fresh JVM: optionally {@link WarmUp#run()} (argument {@code warm}, else {@code cold}), then the marker
 * line {@code WARMED settled true|false|cold}; then the bytes the very first call of each operation allocates on a
 * 16K tensor (what a service's first request pays), as {@code OP BYTES} lines, with a control that must allocate;
 * then, when warm, a service's further first requests (every operation and the normal stream's fill, sizes the
 * warm-up never used, a real {@link ForkJoinPool}, the keep-all and drop-all shortcuts); then {@code DONE}.
 * Started with {@code -Xlog:deoptimization=debug:stdout}, the JVM's deoptimisation log lands between the markers
 * in the same stream: one JVM serves all of {@link WarmUpTest}'s warm checks (each fresh JVM is seconds of C2).
 */
final class WarmUpProbe {

    /**
     * The warm-up's time limit in these tests: it settles in about 6 s on a quiet 2-core VM, but with other builds
     * sharing the cores (load average 10) it needed 25-56 s, and the default 10 s limit then fails the test for
     * the machine's sake. What the tests check (no allocation, no deoptimisation after it) does not change.
     */
    static final java.time.Duration TEST_LIMIT = java.time.Duration.ofSeconds(90);

    private static final int N = 16_384;
    private static Object sink;

    private WarmUpProbe() {}

    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("this JVM cannot count allocated bytes per thread");
        }
        boolean warm = args.length > 0 && args[0].equals("warm");
        String settled = warm ? String.valueOf(WarmUp.run(TEST_LIMIT).settled()) : "cold";
        float[] x = new float[1 << 20];
        float[] y = new float[1 << 20];
        long[] mask = new long[Dropout.maskWords(1 << 20)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 1000) * 0.01f - 5;
        }
        Dropout inverted = Dropout.inverted(0.5);
        Dropout classic = Dropout.classic(0.1);
        GaussianDropout gaussian = GaussianDropout.of(0.1);
        // Channels last, 64 channels: rows combined where the fill left the normals (whole vectors at every width).
        GaussianDropout gaussianRows = gaussian.perChannel(ChannelLayout.channelsLast(16, 64));
        GaussianNoise noiseRows = GaussianNoise.of(0.3).perChannel(ChannelLayout.channelsLast(16, 64));
        // Channels first, runs of 128: a block's runs in one vector loop.
        GaussianDropout gaussianRuns = gaussian.perChannel(ChannelLayout.channelsFirst(8, 128));
        GaussianNoise noiseRuns = GaussianNoise.of(0.3).perChannel(ChannelLayout.channelsFirst(8, 128));
        // Short runs and small samples: each element's normal laid out by its decision (a permute, a gather).
        GaussianDropout gaussianShortRuns = gaussian.perChannel(ChannelLayout.channelsFirst(4, 8));
        GaussianNoise noiseSmallSamples = GaussianNoise.of(0.3).perChannel(ChannelLayout.channelsLast(4, 4));
        // Per-channel dropout through a block's keep bits: runs of 8, rows of 16 channels, samples of 3 rows of 5.
        Dropout shortRuns = Dropout.inverted(0.2).perChannel(ChannelLayout.channelsFirst(4, 8));
        Dropout shortRows = Dropout.inverted(0.2).perChannel(ChannelLayout.channelsLast(4, 16));
        Dropout smallSamples = Dropout.classic(0.2).perChannel(ChannelLayout.channelsLast(3, 5));
        double[] xd = new double[N];
        double[] yd = new double[N];
        for (int i = 0; i < N; i++) {
            xd[i] = x[i];
        }
        // The fused kernels and element-wise alpha dropout (not warmed until stop 31: 0.5-1.2 MB first calls).
        FusedDropout fused = FusedDropout.of(Dropout.inverted(0.3), Activation.relu());
        float[] bias = new float[1024];
        float[] dBias = new float[1024];
        double[] biasd = new double[1024];
        Dropout alpha = Dropout.alpha(0.1);
        Dropout[] dropouts = {Dropout.inverted(0.1), Dropout.classic(0.5), Dropout.inverted(0.0), Dropout.inverted(1.0)};
        try (ForkJoinPool pool = new ForkJoinPool(2)) {
            ParallelDropout[] parallel = new ParallelDropout[dropouts.length];
            for (int i = 0; i < dropouts.length; i++) {
                parallel[i] = ParallelDropout.of(dropouts[i], pool);
            }
            Runnable[] ops = {
                () -> inverted.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> inverted.forward(99, 1_000_000, x, 0, y, 0, N, mask, 0),
                () -> inverted.backward(mask, 0, y, 0, y, 0, N),
                () -> inverted.backward(99, 1_000_001, x, 0, y, 0, N),
                () -> classic.mask(5, 12, mask, 0, N),
                () -> classic.eval(x, 0, y, 0, N),
                () -> NormalStream.fill(99, 1_000_001, y, 0, N),
                () -> gaussian.forward(99, 1_000_000, x, 0, y, 0, N),
                () -> gaussian.forward(99, 1_000_000, xd, 0, yd, 0, N),
                () -> gaussianRows.forward(99, 1_000_000, x, 0, y, 0, N),
                () -> noiseRows.forward(99, 1_000_000, x, 0, y, 0, N),
                () -> gaussianRuns.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> noiseRuns.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> gaussianShortRuns.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> noiseSmallSamples.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> shortRuns.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> shortRows.backward(99, 1_000_001, x, 0, y, 0, N),
                () -> smallSamples.forward(99, 1_000_001, x, 0, y, 0, N - N % 15, mask, 0),
                () -> fused.forward(99, 1_000_001, x, 0, bias, 0, y, 0, N, 1024),
                () -> fused.backward(99, 1_000_001, y, 0, x, 0, y, 0, N, 1024, dBias, 0),
                () -> fused.forward(99, 1_000_001, xd, 0, biasd, 0, yd, 0, N, 1024),
                () -> fused.residualForward(99, 1_000_000, x, 0, x, 0, y, 0, N),
                () -> alpha.forward(99, 1_000_001, x, 0, y, 0, N),
                () -> alpha.forward(99, 1_000_001, xd, 0, yd, 0, N),
                () -> sink = new float[N] // the control: must read above zero, or the counter measures nothing
            };
            String[] names = {"FORWARD", "FORWARD_MASK", "BACKWARD_BITS", "BACKWARD_REGENERATE", "MASK",
                "EVAL_CLASSIC", "NORMALS", "GAUSSIAN_DROPOUT", "GAUSSIAN_DROPOUT_DOUBLE",
                "GAUSSIAN_DROPOUT_CHANNELS_LAST", "GAUSSIAN_NOISE_CHANNELS_LAST", "GAUSSIAN_DROPOUT_CHANNELS_FIRST",
                "GAUSSIAN_NOISE_CHANNELS_FIRST", "GAUSSIAN_DROPOUT_SHORT_RUNS", "GAUSSIAN_NOISE_SMALL_SAMPLES",
                "DROPOUT_SHORT_RUNS", "DROPOUT_SHORT_ROWS", "DROPOUT_SMALL_SAMPLES", "FUSED_FORWARD", "FUSED_BACKWARD",
                "FUSED_FORWARD_DOUBLE", "FUSED_RESIDUAL", "ALPHA_FORWARD", "ALPHA_FORWARD_DOUBLE",
                "CONTROL"};
            System.out.println("WARMED settled " + settled);
            for (int i = 0; i < ops.length; i++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                ops[i].run();
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                if (before < 0) {
                    throw new IllegalStateException("allocation counter reads " + before);
                }
                System.out.println(names[i] + " " + bytes);
            }
            if (warm) {
                requests(dropouts, parallel, x, y, mask, new double[1 << 20], new double[1 << 20]);
            }
            System.out.println("DONE");
        }
    }

    private static final Arena ARENA = Arena.ofAuto();
    private static final MemorySegment NATIVE_X = ARENA.allocate(4L << 20, 8);
    private static final MemorySegment NATIVE_Y = ARENA.allocate(4L << 20, 8);
    private static final MemorySegment NATIVE_MASK = ARENA.allocate(Dropout.maskWords(1 << 20) * 8L, 8);

    /** What a service does after start-up, with shapes the warm-up did not use. */
    private static void requests(Dropout[] dropouts, ParallelDropout[] parallel, float[] x, float[] y, long[] mask,
                                 double[] xd, double[] yd) {
        DropoutLayer[] layers = new DropoutLayer[dropouts.length];
        for (int d = 0; d < dropouts.length; d++) {
            layers[d] = new DropoutLayer(dropouts[d], 7);
        }
        int[] sizes = {1, 100, 1024, 16_384, 300_000, 1 << 20};
        // Alpha dropout, and float64 per-channel dropout through a block's keep bits (runs of 5, 24 channels: 192
        // decisions, whole mask words, in 960 elements): the warm-up's own calls never drew whole words of
        // decisions at an even start in these kernels, and the first such request deoptimised them (stop 32).
        Dropout alpha = Dropout.alpha(0.1);
        Dropout shortRunsDouble = Dropout.inverted(0.1).perChannel(ChannelLayout.channelsFirst(24, 5));
        for (int repeat = 0; repeat < 10; repeat++) {
            for (int n : sizes) {
                long offset = 7L * repeat + n;
                alpha.forward(42, offset, x, 0, y, 0, n, mask, 0);
                alpha.forward(42, offset, xd, 0, yd, 0, n, mask, 0);
                alpha.doubleSegments().forward(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n / 2, NATIVE_MASK, 0);
                alpha.doubleSegments().backward(NATIVE_MASK, 0, NATIVE_X, 0, NATIVE_Y, 0, n / 2);
                alpha.floatSegments().backward(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n);
                int runs = n - n % 120;
                shortRunsDouble.forward(42, offset, xd, 0, yd, 0, runs);
                shortRunsDouble.forward(42, offset, xd, 0, yd, 0, runs, mask, 0);
            }
        }
        for (int repeat = 0; repeat < 10; repeat++) {
            for (int n : sizes) {
                NormalStream.fill(42, 7L * repeat + n, y, 0, n); // odd and even starts
            }
            NormalStream.fill(42, repeat, y, 0, 0);
            for (int d = 0; d < dropouts.length; d++) {
                Dropout dropout = dropouts[d];
                for (int n : sizes) {
                    long offset = 7L * repeat + n;
                    dropout.forward(42, offset, x, 0, y, 0, n);
                    dropout.forward(42, offset, x, 0, y, 0, n, mask, 0);
                    dropout.backward(mask, 0, y, 0, y, 0, n);
                    dropout.backward(42, offset, x, 0, y, 0, n);
                    dropout.mask(42, offset, mask, 0, n);
                    dropout.eval(x, 0, y, 0, n);
                    parallel[d].forward(42, offset, x, 0, y, 0, n);
                    parallel[d].forward(42, offset, x, 0, y, 0, n, mask, 0);
                    parallel[d].backward(42, offset, x, 0, y, 0, n);
                    parallel[d].backward(mask, 0, x, 0, y, 0, n);
                    parallel[d].eval(x, 0, y, 0, n);
                    parallel[d].mask(42, offset, mask, 0, n);
                    parallel[d].forward(42, offset, xd, 0, yd, 0, n);
                    parallel[d].forward(42, offset, xd, 0, yd, 0, n, mask, 0);
                    parallel[d].backward(42, offset, xd, 0, yd, 0, n);
                    parallel[d].backward(mask, 0, xd, 0, yd, 0, n);
                    parallel[d].eval(xd, 0, yd, 0, n);
                    // Every segment form on native segments (an automatic arena's: shared with the pool), float32
                    // and float64 (n / 2 doubles: none for n = 1).
                    parallel[d].forwardFloats(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n);
                    parallel[d].forwardFloats(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n, NATIVE_MASK, 0);
                    parallel[d].backwardFloats(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n);
                    parallel[d].backwardFloats(NATIVE_MASK, 0, NATIVE_X, 0, NATIVE_Y, 0, n);
                    parallel[d].evalFloats(NATIVE_X, 0, NATIVE_Y, 0, n);
                    parallel[d].mask(42, offset, NATIVE_MASK, 0, n);
                    parallel[d].forwardDoubles(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n / 2);
                    parallel[d].forwardDoubles(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n / 2, NATIVE_MASK, 0);
                    parallel[d].backwardDoubles(42, offset, NATIVE_X, 0, NATIVE_Y, 0, n / 2);
                    parallel[d].backwardDoubles(NATIVE_MASK, 0, NATIVE_X, 0, NATIVE_Y, 0, n / 2);
                    parallel[d].evalDoubles(NATIVE_X, 0, NATIVE_Y, 0, n / 2);
                    // A layer's forms: its own call sites of the same trusted methods.
                    DropoutLayer layer = layers[d];
                    layer.backward(layer.forward(x, 0, y, 0, n, mask, 0), y, 0, y, 0, n);
                    layer.backward(layer.forward(xd, 0, yd, 0, n), yd, 0, yd, 0, n);
                    layer.backwardFloats(layer.forwardFloats(NATIVE_X, 0, NATIVE_Y, 0, n), NATIVE_Y, 0, NATIVE_Y, 0, n);
                    layer.backwardDoubles(layer.forwardDoubles(NATIVE_X, 0, NATIVE_Y, 0, n / 2, NATIVE_MASK, 0),
                            NATIVE_Y, 0, NATIVE_Y, 0, n / 2);
                    layer.evalFloats(NATIVE_X, 0, NATIVE_Y, 0, n);
                    layer.eval(xd, 0, yd, 0, n);
                }
            }
        }
    }
}
