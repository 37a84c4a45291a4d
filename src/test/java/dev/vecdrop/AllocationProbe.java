package dev.vecdrop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Warms the public entry points up in a given order, then counts the bytes each allocates over many calls with
 * {@code com.sun.management.ThreadMXBean}. Run in the test JVM and, as {@link #main}, in fresh JVMs with other
 * orders: which kernels box depends on what C2 compiled first.
 *
 * <p>The measurement checks itself: the counter must be supported (it is enabled here if it is not), a reading of
 * -1 throws, and {@link Op#CONTROL} allocates on every call and is measured alongside the kernels in every round,
 * so a counter that stands still reads 0 for the control too and the test fails instead of passing.
 */
final class AllocationProbe {

    /** The public entry points, and {@link #CONTROL}: a call that allocates, to prove the counter counts. */
    enum Op {
        FORWARD, FORWARD_MASK, MASK, BACKWARD_REGENERATE, BACKWARD_BITS, EVAL_CLASSIC, LAYER,
        /** The normal stream's fill ({@link NormalStream#fill}), float32 arrays. */
        NORMALS,
        /** float64 arrays. */
        DOUBLE_FORWARD, DOUBLE_FORWARD_MASK, DOUBLE_BACKWARD_BITS, DOUBLE_EVAL_CLASSIC,
        /** float32 segments, heap and native (the checks inspect both kinds: heap base, address, scope). */
        FLOAT_HEAP_FORWARD, FLOAT_NATIVE_FORWARD_MASK, FLOAT_NATIVE_BACKWARD_BITS, FLOAT_HEAP_MASK,
        /** float64 segments, and a {@link DropoutLayer}'s forward and backward over them. */
        DOUBLE_NATIVE_FORWARD, DOUBLE_HEAP_FORWARD_MASK, DOUBLE_HEAP_BACKWARD_BITS, DOUBLE_NATIVE_EVAL_CLASSIC,
        LAYER_DOUBLE_NATIVE,
        /** Gaussian dropout and noise (normal fill in blocks, a per-thread scratch made on the first call). */
        GAUSSIAN_DROPOUT_FORWARD, GAUSSIAN_DROPOUT_DOUBLE_BACKWARD, GAUSSIAN_NOISE_IN_PLACE,
        GAUSSIAN_NOISE_DOUBLE_FORWARD, GAUSSIAN_DROPOUT_FLOAT_NATIVE_FORWARD, GAUSSIAN_NOISE_DOUBLE_HEAP_FORWARD,
        GAUSSIAN_NOISE_FLOAT_HEAP_FORWARD,
        /**
         * Per-channel gaussian dropout, float32 arrays: channels first with runs of 32 (each run scaled by the kernels'
         * {@code scale}) and channels last (a sample's normals repeated, then the vector combine); per-channel noise
         * over float32 native segments, channels first with runs of 8 (normals laid out per element, then the combine),
         * and over float32 and float64 arrays with runs of 64 (each run's normal broadcast into a vector fma).
         */
        GAUSSIAN_DROPOUT_CHANNELS_FIRST_FORWARD, GAUSSIAN_DROPOUT_CHANNELS_LAST_FORWARD,
        GAUSSIAN_NOISE_CHANNELS_FIRST_FLOAT_NATIVE_FORWARD, GAUSSIAN_NOISE_CHANNELS_FIRST_RUNS_FORWARD,
        GAUSSIAN_NOISE_CHANNELS_FIRST_RUNS_DOUBLE_FORWARD,
        /**
         * Alpha dropout: its affine forwards (element-wise, with a mask, channels last, float64 segments) and its
         * regenerating backward, split from the forward (from bits it is BACKWARD_BITS's path with another scale).
         */
        ALPHA_FORWARD, ALPHA_FORWARD_MASK, ALPHA_BACKWARD_REGENERATE, ALPHA_CHANNELS_LAST_FORWARD,
        DOUBLE_NATIVE_ALPHA_FORWARD,
        /**
         * Per-channel dropout whose keep bits are expanded a vector at a time from the layout's decision table: runs
         * of 8 (forward with a mask) and samples of 4 rows of 4 (float64 backward by regeneration).
         */
        CHANNEL_DROPOUT_SHORT_RUNS_FORWARD_MASK, CHANNEL_DROPOUT_SMALL_SAMPLES_DOUBLE_BACKWARD,
        /** Fused bias + activation + dropout (forward, with a mask, backward with the bias gradient), residual. */
        FUSED_FORWARD, FUSED_FORWARD_MASK, FUSED_BACKWARD, FUSED_RESIDUAL_FORWARD,
        /** The fused kernels' other forms: float64 arrays, float32 native and float64 heap segments. */
        FUSED_DOUBLE_BACKWARD, FUSED_FLOAT_NATIVE_FORWARD_MASK, FUSED_DOUBLE_HEAP_RESIDUAL_FORWARD,
        /**
         * Heap segments over a {@code byte[]} (a heap {@code ByteBuffer}'s array, one byte off alignment), alone and
         * beside native ones, and float64 over a {@code float[]}: the kernels' twins over those arrays.
         */
        FLOAT_BYTES_FORWARD, FLOAT_BYTES_NATIVE_BACKWARD_BITS, FUSED_FLOAT_BYTES_FORWARD_MASK,
        DOUBLE_BYTES_RESIDUAL_FORWARD, FUSED_DOUBLE_FLOATS_BACKWARD,
        /** Drop-connect: masked weights (float32, whole arrays of each size) and the gradient mask (float64). */
        DROP_CONNECT_WEIGHTS, DROP_CONNECT_DOUBLE_MASK_GRADIENT,
        /** Allocates a small array per call and keeps it reachable, so escape analysis cannot remove it. */
        CONTROL;

        /** Every op but {@link #CONTROL}: the ones that must allocate nothing. */
        static final List<Op> KERNELS = Arrays.stream(values()).filter(op -> op != CONTROL).toList();
    }

    static final int WARM_UP_CALLS = 10_000;
    static final int MEASURED_CALLS = 2_000;
    static final int ROUNDS = 3;
    /** How long the unrecorded passes of the measuring loop may go on before the recorded rounds. */
    static final long SETTLE_NANOS = 15_000_000_000L;
    /**
     * How long the settling passes wait for one that is clean and compiles nothing before two clean passes in a row
     * will do: C2 compiling an op's code during the recorded rounds was seen with {@code LAYER}'s 80 bytes.
     */
    static final long QUIET_PATIENCE_NANOS = 4_000_000_000L;
    /** The least a {@link Op#CONTROL} call allocates: an array header, whatever the JVM's object layout. */
    static final long CONTROL_MIN_BYTES_PER_CALL = 16;
    /**
     * The longest call: a vector body of 64 to 256 iterations, a tail of 3 at every width and a partial mask word.
     * It was 4,099 until stop 21, and at 78% of the elements it was most of the probe's run time (the rounds and the
     * warm-up calls are executed, not only compiled: 9.6 of the in-process probe's 17 s were the warm-up calls at
     * 128 bits) while it reached no code the shorter lengths did not: boxing allocates on every call at any length.
     */
    private static final int LONGEST = 1027;
    private static final int[] SIZES = {7, 64, 100, 1000, LONGEST};
    private static final long[] STREAM_OFFSETS = {0, 1, 64, 333, 1L << 40};

    /** Where {@link Op#CONTROL} keeps its arrays: a static field, so every allocation escapes. */
    private static final Object[] SINK = new Object[16];

    private final float[] x = new float[LONGEST];
    private final float[] y = new float[LONGEST];
    private final long[] mask = new long[Dropout.maskWords(LONGEST)];
    private final double[] xd = new double[LONGEST];
    private final double[] yd = new double[LONGEST];
    // Segments over the same sizes: heap ones over arrays, native ones from an automatic arena (unaligned by 4).
    private final MemorySegment xHeap = MemorySegment.ofArray(new float[LONGEST * 2]);
    private final MemorySegment yHeap = MemorySegment.ofArray(new float[LONGEST * 2]);
    private final MemorySegment xDoubleHeap = MemorySegment.ofArray(new double[LONGEST]);
    private final MemorySegment yDoubleHeap = MemorySegment.ofArray(new double[LONGEST]);
    private final MemorySegment maskHeap = MemorySegment.ofArray(new long[Dropout.maskWords(LONGEST)]);
    private final MemorySegment xNative = Arena.ofAuto().allocate(LONGEST * 8 + 8).asSlice(4, LONGEST * 8);
    private final MemorySegment yNative = Arena.ofAuto().allocate(LONGEST * 8 + 8).asSlice(4, LONGEST * 8);
    private final MemorySegment maskNative = Arena.ofAuto().allocate(Dropout.maskWords(LONGEST) * 8L);
    private final MemorySegment xBytes = MemorySegment.ofArray(new byte[LONGEST * 8 + 1]).asSlice(1);
    private final MemorySegment yBytes = MemorySegment.ofArray(new byte[LONGEST * 8 + 1]).asSlice(1);
    private final MemorySegment dBiasHeap = MemorySegment.ofArray(new float[LONGEST * 2]);
    private final Dropout inverted = Dropout.inverted(0.5);
    private final Dropout classic = Dropout.classic(0.3);
    private final DropoutLayer layer = new DropoutLayer(Dropout.inverted(0.2), 5);
    private final GaussianDropout gaussianDropout = GaussianDropout.of(0.5);
    private final GaussianNoise gaussianNoise = GaussianNoise.of(0.1);
    private final Dropout alpha = Dropout.alpha(0.1);
    /** Every per-channel call passes 512 elements: 1 sample of 16 x 32, 8 x 64 or 64 x 8. */
    private final GaussianDropout gaussianChannelsFirst = GaussianDropout.of(0.5)
            .perChannel(ChannelLayout.channelsFirst(16, 32));
    private final GaussianDropout gaussianChannelsLast = GaussianDropout.of(0.5)
            .perChannel(ChannelLayout.channelsLast(8, 64));
    private final GaussianNoise noiseChannelsFirst = GaussianNoise.of(0.1)
            .perChannel(ChannelLayout.channelsFirst(64, 8));
    private final GaussianNoise noiseRuns = GaussianNoise.of(0.1).perChannel(ChannelLayout.channelsFirst(8, 64));
    /** 4 samples of 8 positions x 16 channels (4,096 elements would be 8 samples; every call passes 512). */
    private final Dropout alphaChannelsLast = Dropout.alpha(0.3).perChannel(ChannelLayout.channelsLast(8, 16));
    private final Dropout shortRuns = Dropout.inverted(0.3).perChannel(ChannelLayout.channelsFirst(64, 8));
    private final Dropout smallSamples = Dropout.classic(0.3).perChannel(ChannelLayout.channelsLast(4, 4));
    private final FusedDropout fusedRelu = FusedDropout.of(Dropout.inverted(0.5), Activation.relu());
    private final FusedDropout fusedLeaky = FusedDropout.of(Dropout.inverted(0.2), Activation.leakyRelu(0.01f));
    private final float[] bias = new float[LONGEST];
    private final float[] dBias = new float[LONGEST];
    private final double[] dBiasDoubles = new double[LONGEST];
    private final MemorySegment biasNative = Arena.ofAuto().allocate(LONGEST * 4 + 4).asSlice(4, LONGEST * 4);
    private final DropConnect dropConnect = DropConnect.of(0.4);
    /** Drop-connect takes whole arrays: one weight array, masked copy and float64 gradient per size. */
    private final float[][] weightsBySize = new float[SIZES.length][];
    private final float[][] maskedBySize = new float[SIZES.length][];
    private final double[][] gradientBySize = new double[SIZES.length][];
    private int step;

    /** A row length that divides {@code n}: several rows where the probe's sizes allow, else one. */
    private static int features(int n) {
        return n % 16 == 0 ? 16 : n % 20 == 0 ? 20 : n;
    }

    AllocationProbe() {
        defineActions();
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.25f - 100;
        }
        // Real keep bits from the start: backward from bits warmed up on an all-zero mask would be compiled
        // for "nothing kept" and deoptimise once real bits arrive, in the middle of a measured round.
        for (int s = 0; s < SIZES.length; s++) {
            weightsBySize[s] = Arrays.copyOf(x, SIZES[s]);
            maskedBySize[s] = new float[SIZES[s]];
            gradientBySize[s] = new double[SIZES[s]];
        }
        inverted.mask(12345, 0, mask, 0, LONGEST);
        MemorySegment.copy(mask, 0, maskHeap, ValueLayout.JAVA_LONG, 0, mask.length);
        MemorySegment.copy(mask, 0, maskNative, ValueLayout.JAVA_LONG, 0, mask.length);
        for (int i = 0; i < xd.length; i++) {
            xd[i] = x[i];
            xHeap.setAtIndex(ValueLayout.JAVA_FLOAT, i, x[i]);
            xNative.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, x[i]);
            xBytes.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, x[i]);
        }
    }

    /**
     * One lambda per op, called through one megamorphic call site: each op's kernel is compiled in a unit of its own
     * (as a caller's own method would be), not inlined into one big dispatcher whose inlining budget, spent by the
     * other ops, would leave parts of a kernel's vector code out of line (and boxing) depending on the op count.
     */
    private final Action[] actions = new Action[Op.values().length];

    @FunctionalInterface
    private interface Action {
        void run(int n, long streamOffset);
    }

    private void put(Op op, Action action) {
        actions[op.ordinal()] = action;
    }

    private void defineActions() {
        put(Op.FORWARD, (n, e) -> inverted.forward(step, e, x, 0, y, 0, n));
        put(Op.FORWARD_MASK, (n, e) -> classic.forward(step, e, x, 0, y, 0, n, mask, 0));
        put(Op.MASK, (n, e) -> inverted.mask(step, e, mask, 0, n));
        put(Op.BACKWARD_REGENERATE, (n, e) -> inverted.backward(step, e, x, 0, y, 0, n));
        put(Op.BACKWARD_BITS, (n, e) -> inverted.backward(mask, 0, x, 0, y, 0, n));
        put(Op.EVAL_CLASSIC, (n, e) -> classic.eval(x, 0, y, 0, n));
        put(Op.LAYER, (n, e) -> layer.backward(layer.forward(x, 0, y, 0, n), y, 0, y, 0, n));
        put(Op.LAYER_DOUBLE_NATIVE, (n, e) -> layer.backwardDoubles(layer.forwardDoubles(xNative, 0, yNative, 0, n),
                yNative, 0, yNative, 0, n));
        put(Op.NORMALS, (n, e) -> NormalStream.fill(step, e, y, 0, n));
        put(Op.DOUBLE_FORWARD, (n, e) -> inverted.forward(step, e, xd, 0, yd, 0, n));
        put(Op.DOUBLE_FORWARD_MASK, (n, e) -> classic.forward(step, e, xd, 0, yd, 0, n, mask, 0));
        put(Op.DOUBLE_BACKWARD_BITS, (n, e) -> inverted.backward(mask, 0, xd, 0, yd, 0, n));
        put(Op.DOUBLE_EVAL_CLASSIC, (n, e) -> classic.eval(xd, 0, yd, 0, n));
        put(Op.FLOAT_HEAP_FORWARD, (n, e) -> inverted.floatSegments().forward(step, e, xHeap, 1, yHeap, 1, n));
        put(Op.FLOAT_NATIVE_FORWARD_MASK, (n, e) -> classic.floatSegments().forward(step, e, xNative, 0,
                yNative, 0, n, maskNative, 0));
        put(Op.FLOAT_NATIVE_BACKWARD_BITS, (n, e) -> inverted.floatSegments().backward(maskNative, 0, xNative, 0,
                yNative, 0, n));
        put(Op.FLOAT_HEAP_MASK, (n, e) -> inverted.floatSegments().mask(step, e, maskHeap, 0, n));
        put(Op.DOUBLE_NATIVE_FORWARD, (n, e) -> inverted.doubleSegments().forward(step, e, xNative, 0, yNative,
                0, n));
        put(Op.DOUBLE_HEAP_FORWARD_MASK, (n, e) -> classic.doubleSegments().forward(step, e, xHeap, 0, yHeap, 0,
                n, maskHeap, 0));
        put(Op.DOUBLE_HEAP_BACKWARD_BITS, (n, e) -> inverted.doubleSegments().backward(maskHeap, 0, xHeap, 0, yHeap, 0,
                n));
        put(Op.DOUBLE_NATIVE_EVAL_CLASSIC, (n, e) -> classic.doubleSegments().eval(xNative, 0, yNative, 0, n));
        put(Op.GAUSSIAN_DROPOUT_FORWARD, (n, e) -> gaussianDropout.forward(step, e, x, 0, y, 0, n));
        put(Op.GAUSSIAN_DROPOUT_DOUBLE_BACKWARD, (n, e) -> gaussianDropout.backward(step, e, xd, 0, yd, 0, n));
        put(Op.GAUSSIAN_NOISE_IN_PLACE, (n, e) -> gaussianNoise.forward(step, e, y, 0, y, 0, n));
        put(Op.GAUSSIAN_NOISE_DOUBLE_FORWARD, (n, e) -> gaussianNoise.forward(step, e, xd, 0, yd, 0, n));
        put(Op.GAUSSIAN_DROPOUT_FLOAT_NATIVE_FORWARD,
                (n, e) -> gaussianDropout.forwardFloats(step, e, xNative, 0, yNative, 0, n));
        put(Op.GAUSSIAN_NOISE_FLOAT_HEAP_FORWARD,
                (n, e) -> gaussianNoise.forwardFloats(step, e, xHeap, 0, yHeap, 0, n));
        put(Op.GAUSSIAN_NOISE_DOUBLE_HEAP_FORWARD,
                (n, e) -> gaussianNoise.forwardDoubles(step, e, xHeap, 0, yHeap, 0, n));
        put(Op.GAUSSIAN_DROPOUT_CHANNELS_FIRST_FORWARD,
                (n, e) -> gaussianChannelsFirst.forward(step, e, x, 0, y, 0, 512));
        put(Op.GAUSSIAN_DROPOUT_CHANNELS_LAST_FORWARD,
                (n, e) -> gaussianChannelsLast.forward(step, e, x, 0, y, 0, 512));
        put(Op.GAUSSIAN_NOISE_CHANNELS_FIRST_FLOAT_NATIVE_FORWARD,
                (n, e) -> noiseChannelsFirst.forwardFloats(step, e, xNative, 0, yNative, 0, 512));
        put(Op.GAUSSIAN_NOISE_CHANNELS_FIRST_RUNS_FORWARD, (n, e) -> noiseRuns.forward(step, e, x, 0, y, 0, 512));
        put(Op.GAUSSIAN_NOISE_CHANNELS_FIRST_RUNS_DOUBLE_FORWARD,
                (n, e) -> noiseRuns.forward(step, e, xd, 0, yd, 0, 512));
        put(Op.ALPHA_FORWARD, (n, e) -> alpha.forward(step, e, x, 0, y, 0, n));
        put(Op.ALPHA_FORWARD_MASK, (n, e) -> alpha.forward(step, e, x, 0, y, 0, n, mask, 0));
        put(Op.ALPHA_BACKWARD_REGENERATE, (n, e) -> alpha.backward(step, e, x, 0, y, 0, n));
        put(Op.ALPHA_CHANNELS_LAST_FORWARD, (n, e) -> alphaChannelsLast.forward(step, e, x, 0, y, 0, 512));
        put(Op.CHANNEL_DROPOUT_SHORT_RUNS_FORWARD_MASK, (n, e) -> shortRuns.forward(step, e, x, 0, y, 0, 512, mask, 0));
        put(Op.CHANNEL_DROPOUT_SMALL_SAMPLES_DOUBLE_BACKWARD,
                (n, e) -> smallSamples.backward(step, e, xd, 0, yd, 0, 512));
        put(Op.DOUBLE_NATIVE_ALPHA_FORWARD, (n, e) -> alpha.doubleSegments().forward(step, e, xNative, 0, yNative,
                0, n));
        put(Op.FUSED_FORWARD, (n, e) -> fusedRelu.forward(step, e, x, 0, bias, 0, y, 0, n, features(n)));
        put(Op.FUSED_FORWARD_MASK, (n, e) -> fusedLeaky.forward(step, e, x, 0, bias, 0, y, 0, n, features(n),
                mask, 0));
        put(Op.FUSED_BACKWARD, (n, e) -> fusedRelu.backward(step, e, x, 0, x, 0, y, 0, n, features(n), dBias, 0));
        put(Op.FUSED_RESIDUAL_FORWARD, (n, e) -> fusedRelu.residualForward(step, e, x, 0, x, 0, y, 0, n));
        put(Op.FUSED_DOUBLE_BACKWARD, (n, e) -> fusedLeaky.backward(step, e, xd, 0, xd, 0, yd, 0, n, features(n),
                dBiasDoubles, 0));
        put(Op.FUSED_FLOAT_NATIVE_FORWARD_MASK, (n, e) -> fusedLeaky.floatSegments().forward(step, e, xNative, 0,
                biasNative, 0, yNative, 0, n, features(n), maskNative, 0));
        put(Op.FUSED_DOUBLE_HEAP_RESIDUAL_FORWARD, (n, e) -> fusedRelu.doubleSegments().residualForward(step, e,
                xDoubleHeap, 0, xDoubleHeap, 0, yDoubleHeap, 0, n));
        put(Op.FLOAT_BYTES_FORWARD, (n, e) -> inverted.floatSegments().forward(step, e, xBytes, 0, yBytes, 0, n));
        put(Op.FLOAT_BYTES_NATIVE_BACKWARD_BITS, (n, e) -> inverted.floatSegments().backward(maskHeap, 0, xBytes, 0,
                yNative, 0, n));
        put(Op.FUSED_FLOAT_BYTES_FORWARD_MASK, (n, e) -> fusedLeaky.floatSegments().forward(step, e, xBytes, 0,
                xBytes, 1, yNative, 0, n, features(n), maskNative, 0));
        put(Op.DOUBLE_BYTES_RESIDUAL_FORWARD, (n, e) -> fusedRelu.doubleSegments().residualForward(step, e, xBytes, 0,
                xBytes, 0, yBytes, 0, n));
        put(Op.FUSED_DOUBLE_FLOATS_BACKWARD, (n, e) -> fusedLeaky.doubleSegments().backward(step, e, xHeap, 0, xHeap,
                0, yHeap, 0, n, features(n), dBiasHeap, 0));
        // The step cycles through the sizes as call() does; the stream offset is the step's, not e.
        put(Op.DROP_CONNECT_WEIGHTS, (n, e) -> dropConnect.weights(step, step, weightsBySize[sizeIndex(n)],
                maskedBySize[sizeIndex(n)]));
        put(Op.DROP_CONNECT_DOUBLE_MASK_GRADIENT, (n, e) -> dropConnect.maskGradient(step, step,
                gradientBySize[sizeIndex(n)]));
        put(Op.CONTROL, (n, e) -> SINK[step & (SINK.length - 1)] = new long[1 + (step & 3)]);
    }

    private static int sizeIndex(int n) {
        int s = 0;
        while (SIZES[s] != n) {
            s++;
        }
        return s;
    }

    /** One call of {@code op}, cycling through sizes and even and odd stream offsets. */
    private void call(Op op) {
        int n = SIZES[step % SIZES.length];
        long streamOffset = STREAM_OFFSETS[step % STREAM_OFFSETS.length];
        step++;
        actions[op.ordinal()].run(n, streamOffset);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Fails unless this JVM can count the current thread's allocation; turns the count on if it is off. */
    private static void requireAllocationCounter() {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot count allocated bytes per thread: nothing is measured");
        }
        if (!THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
        if (!THREADS.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("per-thread allocation counting is off and could not be enabled");
        }
    }

    private static long allocatedBytes() {
        long bytes = THREADS.getCurrentThreadAllocatedBytes();
        if (bytes < 0) { // -1: not measured; a difference of two -1 readings would be a false 0
            throw new IllegalStateException("getCurrentThreadAllocatedBytes() returned " + bytes);
        }
        return bytes;
    }

    /**
     * Warms every op of {@code order} up in that order (but the control last), then runs
     * unrecorded passes of the measuring loop until they allocate nothing (see {@link #run}'s comments; at most
     * 15 s), then
     * measures each op in {@value #ROUNDS} rounds of {@value #MEASURED_CALLS} calls. Returns
     * the bytes of every round, for every op and the control: allocation that happens in one round only must not
     * be hidden by a quiet one.
     */
    Map<Op, long[]> run(List<Op> order) {
        requireAllocationCounter();
        List<Op> ops = new ArrayList<>(order);
        ops.remove(Op.CONTROL);
        ops.add(Op.CONTROL);
        for (Op op : ops) {
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                call(op);
            }
        }
        Map<Op, long[]> bytes = new EnumMap<>(Op.class);
        for (Op op : ops) {
            bytes.put(op, new long[ROUNDS]);
        }
        // Then the warm-up goes on, every op in turn, until the JIT has been idle for a while: on a loaded machine
        // C2 lags behind the calls, and a kernel still in C1 boxes its vectors; that is the machine, not the code.
        // Capped, so a JIT that never settles (a recompilation loop) still ends up measured, and fails.
        awaitIdleJit(ops);
        // The last of the warm-up: the measuring loop itself, unrecorded, until a pass allocates nothing (the
        // control aside) and compiles nothing, or, after QUIET_PATIENCE_NANOS, follows another pass that allocated
        // nothing, for at most SETTLE_NANOS; then the recorded rounds. (In a leg's JVM other code keeps C2 busy, so
        // "compiles nothing" alone could run into the cap every time; a recompile that traps again allocates in the
        // next pass. Two clean passes at once were let through while C2 still had an op's code queued, and it was
        // compiled in a recorded round: LAYER's 80 bytes, stop 20.)
        // One unrecorded pass was not enough: with the fused kernels in four forms, a recompile of
        // biasActForward during it trapped again (a profile predicate) in a recorded round, its deopt
        // rematerialising 80 or 624 bytes (4 of 6 fresh JVMs in the default leg's order); and once, in a leg's
        // JVM after 500 other tests, a kernel still ran in C1 through all three rounds (FLOAT_HEAP_MASK, 111 KB a
        // call: a C2 queue not yet drained). A kernel that allocates on every call never gives a clean pass, so
        // it is measured after the cap, and fails.
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        // The unrecorded passes write into a map of their own, through the same code as the recorded rounds: a
        // branch on "recorded or not" was never taken while C2 compiled the loop, so the first recorded round
        // trapped there, and the deoptimisation rematerialised 80 bytes inside an op's window.
        Map<Op, long[]> unrecorded = new EnumMap<>(Op.class);
        for (Op op : ops) {
            unrecorded.put(op, new long[ROUNDS]);
        }
        Op[] measured = ops.toArray(new Op[0]);
        long settleStart = System.nanoTime();
        boolean previousClean = false;
        while (System.nanoTime() - settleStart < SETTLE_NANOS) {
            long compiled = timed ? jit.getTotalCompilationTime() : 0;
            boolean clean = measuringPass(measured, unrecorded, 0) == 0;
            boolean quiet = !timed || jit.getTotalCompilationTime() == compiled;
            boolean patienceOver = System.nanoTime() - settleStart >= QUIET_PATIENCE_NANOS;
            if (clean && (quiet || previousClean && patienceOver)) {
                break;
            }
            previousClean = clean;
        }
        for (int round = 0; round < ROUNDS; round++) {
            measuringPass(measured, bytes, round);
        }
        return bytes;
    }

    /**
     * One pass of the measuring loop over {@code ops}, each op's bytes written to {@code bytes.get(op)[round]}.
     * Returns the bytes the ops but the control allocated.
     */
    private long measuringPass(Op[] ops, Map<Op, long[]> bytes, int round) {
        long kernelBytes = 0;
        // An index, not an iterator: C2 scalar-replaces an iterator, and a deoptimisation of this loop (a trap on
        // a path the unrecorded passes never took) would rematerialise it on the heap inside an op's window.
        for (int k = 0; k < ops.length; k++) {
            Op op = ops[k];
            long before = allocatedBytes();
            for (int i = 0; i < MEASURED_CALLS; i++) {
                call(op);
            }
            long used = allocatedBytes() - before;
            bytes.get(op)[round] = used;
            kernelBytes += op == Op.CONTROL ? 0 : used;
        }
        return kernelBytes;
    }

    /**
     * Calls every op until the JVM's total compilation time has not grown for 300 ms, or 10 s have passed. In a
     * leg's JVM, after hundreds of other tests, the JIT is sometimes never quiet for 300 ms (other code compiling)
     * and the wait ran into its cap, 20 s then, with every round clean after it; the kernels themselves are compiled
     * within seconds of the warm-up calls.
     */
    private void awaitIdleJit(List<Op> ops) {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long start = System.nanoTime();
        long quietSince = start;
        long compiled = jit.getTotalCompilationTime();
        while (System.nanoTime() - quietSince < 300_000_000L && System.nanoTime() - start < 10_000_000_000L) {
            for (Op op : ops) {
                for (int i = 0; i < 50; i++) {
                    call(op);
                }
            }
            long now = jit.getTotalCompilationTime();
            if (now != compiled) {
                compiled = now;
                quietSince = System.nanoTime();
            }
        }
    }

    /** Args: the ops in warm-up order. Prints {@code OP BYTES_ROUND_1 ... BYTES_ROUND_N} per line, control included. */
    public static void main(String[] args) {
        List<Op> order = new ArrayList<>();
        for (String arg : args) {
            order.add(Op.valueOf(arg));
        }
        new AllocationProbe().run(order).forEach((op, rounds) -> {
            StringBuilder line = new StringBuilder(op.name());
            for (long b : rounds) {
                line.append(' ').append(b);
            }
            System.out.println(line);
        });
    }
}
