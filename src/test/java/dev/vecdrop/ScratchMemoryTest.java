package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The per-thread scratch of short per-channel layouts takes native memory only for the segment forms, which hand it
 * to the segment kernels ({@link KeepBits#nativeWords}): a thread that only ever calls the array forms pays none.
 * Native memory of automatic arenas counts against {@code -XX:MaxDirectMemorySize}, and an executor that starts a
 * thread per task would otherwise make 1,048 bytes of it a task (a review helper measured 2 MB over 2,000 such calls,
 * stop 31). Measured with the JVM's "direct" buffer pool, which the segment case shows moving.
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
}
