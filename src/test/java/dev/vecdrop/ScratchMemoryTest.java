package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The per-thread scratch of short per-channel layouts takes native memory only for the segment forms, which hand it
 * to the segment kernels ({@link KeepBits#nativeWords}): a thread that only ever calls the array forms pays none.
 * Native memory of automatic arenas counts against {@code -XX:MaxDirectMemorySize}, and an executor that starts a
 * thread per task would otherwise make 1,048 bytes of it a task (a review helper measured 2 MB over 2,000 such calls,
 * stop 31). Measured with the JVM's "direct" buffer pool, which the segment case shows moving.
 *
 * <p>Virtual threads share a few scratches instead of making one each ({@link PerThread}): a virtual thread per call
 * made 1,048 bytes of native memory a call, freed only after a GC, and with {@code -XX:+DisableExplicitGC} calls
 * ended in {@code OutOfMemoryError} once they filled {@code -XX:MaxDirectMemorySize} (a review helper, stop 32).
 */
class ScratchMemoryTest {

    private static final Dropout SHORT_RUNS = Dropout.inverted(0.5).perChannel(ChannelLayout.channelsFirst(3, 5));

    @Test
    void onlyTheSegmentFormsMakeNativeScratch() throws Exception {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        float[] x = new float[150];
        float[] y = new float[150];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment xs = arena.allocate(150 * Float.BYTES, 64);
            MemorySegment ys = arena.allocate(150 * Float.BYTES, 64);
            long before = direct.getMemoryUsed();
            long afterArrays = onANewThread(() -> SHORT_RUNS.forward(1, 0, x, 0, y, 0, 150), direct);
            assertEquals(before, afterArrays, "an array call's scratch took native memory");
            long afterSegments = onANewThread(() -> SHORT_RUNS.floatSegments().forward(1, 0, xs, 0, ys, 0, 150), direct);
            assertTrue(afterSegments >= before + 1_048, "a segment call's native scratch was not seen: " + before
                    + " -> " + afterSegments);
        }
    }

    /** Runs {@code call} on a new thread and reads the pool while that thread, and so its scratch, still lives. */
    private static long onANewThread(Runnable call, BufferPoolMXBean direct) throws InterruptedException {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            call.run();
            called.countDown();
            try {
                read.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        called.await();
        long used = direct.getMemoryUsed();
        read.countDown();
        thread.join();
        return used;
    }

    /**
     * Tens of thousands of virtual threads, one call each, in a JVM whose direct memory holds about 2,000 scratches
     * beside the test's own buffers and that never collects for them (no explicit GC, a young generation the calls do
     * not fill): the scratch of a virtual thread per call ran out of it. Also checks that virtual threads sharing scratches get the bits
     * of one platform thread.
     */
    @Test
    void virtualThreadsShareAFewScratches() throws Exception {
        String out = FreshJvm.run(List.of("-Xmx1g", "-Xmn700m", "-XX:MaxDirectMemorySize=4m",
                "-XX:+DisableExplicitGC"), VirtualThreadCalls.class, List.of());
        assertTrue(out.contains("calls done"), out);
    }

    /** The fresh JVM's side of {@link #virtualThreadsShareAFewScratches}. */
    static final class VirtualThreadCalls {
        public static void main(String[] args) throws Exception {
            Dropout shortRuns = Dropout.inverted(0.5).perChannel(ChannelLayout.channelsFirst(3, 5));
            GaussianDropout gaussianRuns = GaussianDropout.of(0.3).perChannel(ChannelLayout.channelsFirst(3, 5));
            try (Arena arena = Arena.ofShared()) {
                MemorySegment xs = arena.allocate(150 * Float.BYTES, 64);
                for (int i = 0; i < 150; i++) {
                    xs.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, i - 70.5f);
                }
                MemorySegment ys = arena.allocate(150 * Float.BYTES, 64);
                float[] expected = result(shortRuns, gaussianRuns, xs, ys, 7);
                Throwable[] failure = new Throwable[1];
                Thread.Builder oneCall = Thread.ofVirtual().uncaughtExceptionHandler((t, e) -> failure[0] = e);
                for (int call = 0; call < 20_000 && failure[0] == null; call++) { // one scratch in use at a time
                    oneCall.start(() -> shortRuns.floatSegments().forward(1, 0, xs, 0, ys, 0, 150)).join();
                }
                if (failure[0] != null) { // the first failure ends the run (a failed reservation retries for seconds)
                    throw new AssertionError("a virtual thread's call failed", failure[0]);
                }
                try (ExecutorService perTask = Executors.newVirtualThreadPerTaskExecutor()) { // many at once
                    List<Future<float[]>> results = new ArrayList<>();
                    for (int task = 0; task < 1_000; task++) {
                        MemorySegment out = arena.allocate(150 * Float.BYTES, 64);
                        results.add(perTask.submit(() -> result(shortRuns, gaussianRuns, xs, out, 7)));
                    }
                    for (Future<float[]> result : results) {
                        if (!Arrays.equals(result.get(), expected)) {
                            throw new AssertionError("a virtual thread's result differs from the platform thread's");
                        }
                    }
                }
            }
            System.out.println("calls done");
        }

        /** Per-channel dropout then gaussian dropout over segments into {@code y}, the result as an array. */
        private static float[] result(Dropout dropout, GaussianDropout gaussian, MemorySegment x, MemorySegment y,
                                      long seed) {
            dropout.floatSegments().forward(seed, 0, x, 0, y, 0, 150);
            gaussian.forwardFloats(seed, 0, y, 0, y, 0, 150);
            return y.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        }
    }
}
