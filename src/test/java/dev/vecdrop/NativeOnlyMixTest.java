package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A JVM that passes only native segments of shared arenas (shared, automatic or global: {@code Arena.ofShared()}
 * here), its masks included, and mixes element-wise mask calls with per-channel calls over short runs settles, within
 * a few thousand calls, to no allocation but stray bytes (at most 16 an iteration, where a storm takes 500,000). Until stop 31 the short per-channel calls gave the segment kernels the
 * library's own scratch as a heap mask, beside the caller's native masks, and the mask kernel was recompiled about
 * 194 times on a hoisted loop check, boxing its vectors meanwhile: some 500 KB an iteration for 20 rounds of 2,000
 * (found by a review helper). The scratch is now native memory of an automatic arena, the kind {@code WarmUp}
 * warms; masks of a confined arena, or heap masks, beside it still set the storm off (README, "Open items"). In a
 * fresh JVM, so that no other test's history of masks is in the kernels' profiles.
 */
class NativeOnlyMixTest {

    private static final int ROUNDS = 12;
    private static final int CALLS = 1_000;
    private static final int SETTLED_ROUNDS = 3;
    /**
     * A settled round's most bytes, 16 an iteration: a settled JVM still showed a few stray hundred bytes in some
     * rounds (56-1,328 a round, most likely a recompilation elsewhere), a storm some 500,000 an iteration.
     */
    private static final long SETTLED_BYTES = 16L * CALLS;

    @Test
    void sharedNativeMasksAndShortPerChannelCallsSettleWithoutAStorm() throws Exception {
        String out = FreshJvm.run(List.of(), Probe.class, List.of());
        long[] bytes = Arrays.stream(out.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
        assertTrue(bytes.length == ROUNDS, "a figure a round: " + out);
        int zeros = 0;
        boolean settled = false;
        for (long b : bytes) {
            zeros = b <= SETTLED_BYTES ? zeros + 1 : 0;
            settled |= zeros == SETTLED_ROUNDS;
        }
        assertTrue(bytes[0] > 0, "the counter measured nothing in the first, compiling round: " + out.replace('\n', ' '));
        assertTrue(settled, "no " + SETTLED_ROUNDS + " rounds in a row of " + CALLS + " iterations under " + SETTLED_BYTES
                + " bytes: " + out.replace('\n', ' '));
    }

    /** Prints the bytes each round of {@link #CALLS} iterations allocated, one round a line. */
    public static final class Probe {
        public static void main(String[] args) {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            Arena arena = Arena.ofShared();
            MemorySegment x = arena.allocate(4L * 4200, 64);
            MemorySegment y = arena.allocate(4L * 4200, 64);
            MemorySegment mask = arena.allocate(800, 8);
            FloatSegmentDropout plain = Dropout.inverted(0.3).floatSegments();
            FloatSegmentDropout shortRuns = Dropout.inverted(0.3).perChannel(ChannelLayout.channelsFirst(3, 5))
                    .floatSegments();
            StringBuilder out = new StringBuilder();
            for (int round = 0; round < ROUNDS; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    plain.mask(1, i, mask, 0, 4096);
                    shortRuns.forward(1, i, x, 0, y, 0, 4095);
                }
                out.append(threads.getCurrentThreadAllocatedBytes() - before).append('\n');
            }
            System.out.print(out);
        }
    }
}
