package dev.vecdrop.smile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A warm layer's dropout forward and backward allocate nothing: they run the library's kernels over the segment that
 * already holds Smile's vector, and keep their one per-thread value in an array made on the thread's first call. The
 * counter is checked to measure: an array of known size in the same window must show.
 */
class LayerAllocationTest {

    private static final int CALLS = 10_000;
    private static final int ROUNDS = 20;

    @Test
    void aWarmLayersDropoutAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        VecdropHiddenLayer hidden = VecdropLayer.rectifier(1000, 0.5).seed(1).build(10);
        VecdropInputLayer input = VecdropLayer.input(1000, 0.2).seed(2).build(0);
        float[] values = VecdropLayerTest.values(new SplittableRandom(1), 1000);
        VecdropLayerTest.set(hidden.output(), values);
        VecdropLayerTest.set(hidden.gradient(), values);
        VecdropLayerTest.set(input.output(), values);
        for (int i = 0; i < 20_000; i++) {
            hidden.propagateDropout();
            hidden.backpopagateDropout();
            input.propagateDropout();
        }
        // The least of several rounds: until C2 has compiled the Vector API kernels they box their vectors (a busy
        // machine delays that), while an allocation of the glue's own shows in every round.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && least > 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                hidden.propagateDropout();
                hidden.backpopagateDropout();
                input.propagateDropout();
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        byte[] known = new byte[CALLS];
        long measured = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(measured >= known.length, "the counter does not measure: " + measured + " bytes for an array of "
                + known.length);
        assertEquals(0, least, "bytes for " + CALLS + " rounds of forward, backward and input forward");
    }
}
