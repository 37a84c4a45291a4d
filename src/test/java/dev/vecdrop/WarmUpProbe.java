package dev.vecdrop;

import java.lang.management.ManagementFactory;

/**
 * Run in a fresh JVM: optionally {@link WarmUp#run()}, then the bytes the very first call of each operation
 * allocates on a 16K tensor (what a service's first request pays), and a control that must allocate.
 * Prints {@code settled true|false|cold}, then {@code OP BYTES} lines.
 */
final class WarmUpProbe {

    /**
     * The warm-up's time limit in these tests: it settles in about 4 s on a quiet 2-core VM, but with other builds
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
        System.out.println("settled " + (warm ? WarmUp.run(TEST_LIMIT).settled() : "cold"));
        float[] x = new float[N];
        float[] y = new float[N];
        long[] mask = new long[Dropout.maskWords(N)];
        for (int i = 0; i < N; i++) {
            x[i] = i * 0.5f - 17;
        }
        Dropout inverted = Dropout.inverted(0.5);
        Dropout classic = Dropout.classic(0.1);
        GaussianDropout gaussian = GaussianDropout.of(0.1);
        Runnable[] ops = {
            () -> inverted.forward(99, 1_000_001, x, 0, y, 0, N),
            () -> inverted.forward(99, 1_000_000, x, 0, y, 0, N, mask, 0),
            () -> inverted.backward(mask, 0, y, 0, y, 0, N),
            () -> inverted.backward(99, 1_000_001, x, 0, y, 0, N),
            () -> classic.mask(5, 12, mask, 0, N),
            () -> classic.eval(x, 0, y, 0, N),
            () -> NormalStream.fill(99, 1_000_001, y, 0, N),
            () -> gaussian.forward(99, 1_000_000, x, 0, y, 0, N),
            () -> sink = new float[N] // the control: must read above zero, or the counter measures nothing
        };
        String[] names = {"FORWARD", "FORWARD_MASK", "BACKWARD_BITS", "BACKWARD_REGENERATE", "MASK", "EVAL_CLASSIC",
            "NORMALS", "GAUSSIAN_DROPOUT", "CONTROL"};
        for (int i = 0; i < ops.length; i++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            ops[i].run();
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            if (before < 0) {
                throw new IllegalStateException("allocation counter reads " + before);
            }
            System.out.println(names[i] + " " + bytes);
        }
    }
}
