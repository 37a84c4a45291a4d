package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A parallel call allocates a fixed amount, whatever the region's length: its job, counter and latch, plus what
 * the pool allocates per submitted task. Counted over every thread of the JVM (the pool's included), with a
 * control that must be counted; calls below the threshold run inline and allocate nothing, counted on this thread,
 * whose counter must see an array of known size.
 */
class ParallelAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int CALLS = 200;
    /** A job (about 80 bytes), its counter and latch, and a pool task per helper thread: well below this. */
    static final long BOUND_PER_CALL = 1024;

    /** The kernels compiled, once: each {@code WarmUp.run()} runs its rounds again (seconds). */
    @BeforeAll
    static void warmUp() {
        WarmUp.run();
    }

    private static long bytesPerCall(Runnable call) {
        for (int i = 0; i < 100; i++) {
            call.run(); // the pool's threads started, this call site compiled
        }
        long most = 0;
        for (int round = 0; round < 3; round++) { // the most of three: no round may exceed the bound
            long before = THREADS.getTotalThreadAllocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                call.run();
            }
            long after = THREADS.getTotalThreadAllocatedBytes();
            assertTrue(before >= 0 && after >= 0, "total allocation is not measured here");
            most = Math.max(most, (after - before) / CALLS);
        }
        return most;
    }

    /** A split call allocates something (its job), no more than the bound, and the same at both lengths. */
    private static void assertFixedAndSmall(String what, Runnable smallCall, int small, Runnable largeCall,
                                            int large) {
        long smallBytes = bytesPerCall(smallCall);
        long largeBytes = bytesPerCall(largeCall);
        System.out.println(what + " on 2 threads: " + smallBytes + " bytes per call at n=" + small + ", "
                + largeBytes + " at n=" + large);
        assertTrue(smallBytes > 0, "a parallel call must allocate its job: is the counter working? " + smallBytes);
        assertTrue(smallBytes <= BOUND_PER_CALL && largeBytes <= BOUND_PER_CALL,
                what + ": bytes per call: " + smallBytes + " at n=" + small + ", " + largeBytes + " at n=" + large);
        // Not equal to the byte: a parked caller sometimes allocates a queue node. The length must not show.
        assertEquals(smallBytes, largeBytes, 128.0, what + ": allocation grows with the length");
    }

    @Test
    void aParallelCallAllocatesAFixedSmallAmountIndependentOfLength() {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            ParallelDropout parallel = ParallelDropout.of(Dropout.inverted(0.5), pool).withMinParallelLength(0);
            int small = 4 * ParallelDropout.MIN_CHUNK;
            int large = 64 * ParallelDropout.MIN_CHUNK;
            float[] x = new float[large];
            float[] y = new float[large];
            long[] seed = {0};
            long control = bytesPerCall(() -> {
                float[] garbage = new float[small];
                garbage[seed[0]++ % small == 0 ? 0 : 1] = 1; // an allocation that cannot be optimised away
                x[0] = garbage[1];
            });
            assertTrue(control >= 4L * small, "the control allocation was not counted: " + control);
            assertFixedAndSmall("parallel forward", () -> parallel.forward(seed[0]++, 0, x, 0, y, 0, small), small,
                    () -> parallel.forward(seed[0]++, 0, x, 0, y, 0, large), large);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aParallelGaussianCallAllocatesAFixedSmallAmountIndependentOfLength() {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            ParallelGaussian dropout = ParallelGaussian.of(GaussianDropout.of(0.3), pool).withMinParallelLength(0);
            ParallelGaussian noise = ParallelGaussian.of(GaussianNoise.of(0.3), pool).withMinParallelLength(0);
            int small = 4 * ParallelGaussian.MIN_CHUNK;
            int large = 16 * ParallelGaussian.MIN_CHUNK;
            float[] x = new float[large];
            double[] xd = new double[large];
            MemorySegment xs = MemorySegment.ofArray(new float[large]);
            long[] seed = {0};
            for (Runnable[] calls : new Runnable[][] {
                    {() -> dropout.forward(seed[0]++, 0, x, 0, x, 0, small),
                            () -> dropout.forward(seed[0]++, 0, x, 0, x, 0, large)},
                    {() -> noise.forward(seed[0]++, 0, xd, 0, xd, 0, small),
                            () -> noise.forward(seed[0]++, 0, xd, 0, xd, 0, large)},
                    {() -> dropout.backwardFloats(seed[0]++, 0, xs, 0, xs, 0, small),
                            () -> dropout.backwardFloats(seed[0]++, 0, xs, 0, xs, 0, large)}}) {
                assertFixedAndSmall("parallel gaussian", calls[0], small, calls[1], large);
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * On {@link ForkJoinPool#commonPool()}, whose JDK 25 workers clear their thread-locals whenever they go idle, a
     * split gaussian call and a split per-channel dropout call keep their per-thread scratch ({@link PerThread}):
     * they allocate what an element-wise dropout call allocates there, within a queue node or two. With the scratch
     * in thread-locals the gaussian call allocated 2,554-3,520 bytes and the per-channel one 793-863 against 209-238
     * for element-wise dropout (stop 30; back to back, as here, the worker goes idle between calls too).
     */
    @Test
    void onTheCommonPoolSplitCallsKeepTheirScratch() {
        ForkJoinPool pool = ForkJoinPool.commonPool();
        int n = 16 * ParallelGaussian.MIN_CHUNK;
        float[] x = new float[n];
        long[] seed = {0};
        ParallelDropout elementwise = ParallelDropout.of(Dropout.inverted(0.3), pool, 2).withMinParallelLength(0);
        ParallelDropout perChannel = ParallelDropout.of(
                Dropout.inverted(0.3).perChannel(ChannelLayout.channelsFirst(4, 16)), pool, 2).withMinParallelLength(0);
        ParallelGaussian gaussian = ParallelGaussian.of(GaussianDropout.of(0.3), pool, 2).withMinParallelLength(0);
        long plain = bytesPerCall(() -> elementwise.forward(seed[0]++, 0, x, 0, x, 0, n));
        long channels = bytesPerCall(() -> perChannel.forward(seed[0]++, 0, x, 0, x, 0, n));
        long normals = bytesPerCall(() -> gaussian.forward(seed[0]++, 0, x, 0, x, 0, n));
        System.out.println("common pool, 2 threads: " + plain + " bytes per element-wise dropout call, " + channels
                + " per-channel, " + normals + " gaussian");
        assertTrue(plain > 0, "a split call must allocate its job: is the counter working? " + plain);
        assertTrue(channels <= plain + 128, "per-channel dropout remade its scratch: " + channels + " vs " + plain);
        assertTrue(normals <= plain + 128, "gaussian dropout remade its scratch: " + normals + " vs " + plain);
    }

    @Test
    void belowTheThresholdAParallelGaussianCallAllocatesNothing() {
        ParallelGaussian parallel = ParallelGaussian.of(GaussianDropout.of(0.4), ForkJoinPool.commonPool());
        int n = parallel.minParallelLength() - 1;
        float[] x = new float[n];
        float[] y = new float[n];
        parallel.forward(0, 0, x, 0, y, 0, n); // this thread's scratch block, allocated once
        long before = THREADS.getCurrentThreadAllocatedBytes(); // inline: only this thread works
        for (int i = 0; i < CALLS; i++) {
            parallel.forward(i, 0, x, 0, y, 0, n);
        }
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(before >= 0, "allocation is not measured here");
        assertEquals(0, bytes, "inline parallel gaussian calls allocated");
        assertThisThreadsCounterSeesAnArray();
    }

    @Test
    void belowTheThresholdAParallelCallAllocatesNothing() {
        ParallelDropout parallel = ParallelDropout.of(Dropout.inverted(0.5), ForkJoinPool.commonPool());
        int n = parallel.minParallelLength() - 1;
        float[] x = new float[n];
        float[] y = new float[n];
        double[] xd = new double[n];
        double[] yd = new double[n];
        long before = THREADS.getCurrentThreadAllocatedBytes(); // inline: only this thread works
        for (int i = 0; i < CALLS; i++) {
            parallel.forward(i, 0, x, 0, y, 0, n);
            parallel.forward(i, 0, xd, 0, yd, 0, n);
        }
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(before >= 0, "allocation is not measured here");
        assertEquals(0, bytes, "inline parallel calls allocated");
        assertThisThreadsCounterSeesAnArray();
    }

    /** The control of the inline tests: this thread's counter sees an array of known size. */
    private static void assertThisThreadsCounterSeesAnArray() {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long[] known = new long[1024];
        long seen = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(seen >= 8L * known.length, "the counter missed an array of " + 8 * known.length + " bytes: " + seen);
    }
}
