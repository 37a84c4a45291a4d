package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A JVM that passes heap and native data segments to the stored-mask backward (native masks only) settles: the
 * scalar tail inlined into the vector kernels reads its input for every element, so C2's loop predication hoists
 * that read's checks as for the output's. Until stop 32 the tail read only kept elements; C2 hoisted the checks of
 * that conditional read out of the loop as a profiled predicate, which failed on the other kind of data, and each
 * recompilation hoisted it again: 55-171 {@code profile_predicate} traps in the tail and 33 KB a call that never
 * settled, in most fresh JVMs run without tiered compilation (a review helper's reproducer, this one; about 4 in 14
 * with tiers, in a wider probe). Counted from the JVM's own deoptimisation log, in a fresh JVM without tiers, where
 * the profile it needs always exists.
 */
class MixedDataSegmentsTest {

    /** Well above the 4-8 traps of the fixed tail (first compilations), well below the 55-171 of the old one. */
    private static final int FEW_TAIL_TRAPS = 30;

    @Test
    void heapAndNativeDataInTheStoredMaskBackwardSettle() throws Exception {
        String out = FreshJvm.run(List.of("-XX:-TieredCompilation", "-Xlog:deoptimization=debug:stdout"),
                Probe.class, List.of());
        long traps = out.lines().filter(l -> l.contains("profile_predicate") && l.contains("applyWordRange")).count();
        String result = out.lines().filter(l -> l.startsWith("B/call")).findFirst().orElse("no result line");
        assertTrue(out.contains("B/call"), out);
        assertTrue(traps <= FEW_TAIL_TRAPS, traps + " profile_predicate traps in the scalar tail: " + result);
    }

    /**
     * Backward from a native mask, float32 and float64: heap data for 20,000 calls, native data (4 bytes off
     * alignment) for 20,000, then 20 rounds alternating blocks of 200; lengths with and without tails, odd offsets.
     * Prints the bytes per call of each alternating round.
     */
    static final class Probe {
        private static final int L = 100_064;
        private static final int[] SIZES = {100, 7, 1027, 64, 333};
        private static final int[] OFFSETS = {0, 1, 3};
        private static long step;

        public static void main(String[] args) {
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            MemorySegment floatsIn = MemorySegment.ofArray(new float[L]);
            MemorySegment floatsOut = MemorySegment.ofArray(new float[L]);
            MemorySegment doublesIn = MemorySegment.ofArray(new double[L]);
            MemorySegment doublesOut = MemorySegment.ofArray(new double[L]);
            Arena arena = Arena.ofAuto();
            MemorySegment nativeIn = arena.allocate(8L * L + 16).asSlice(4, 8L * L);
            MemorySegment nativeOut = arena.allocate(8L * L + 16).asSlice(4, 8L * L);
            MemorySegment mask = arena.allocate(8L * (L / 64 + 4), 8);
            Dropout dropout = Dropout.inverted(0.3);
            FloatSegmentDropout floats = dropout.floatSegments();
            DoubleSegmentDropout doubles = dropout.doubleSegments();
            floats.mask(7, 0, mask, 0, L - 64);
            for (boolean heap : new boolean[] {true, false}) { // each kind warm, float32 then float64
                for (boolean inDoubles : new boolean[] {false, true}) {
                    for (int i = 0; i < 20_000; i++) {
                        call(floats, doubles, mask, heap, inDoubles, floatsIn, floatsOut, doublesIn, doublesOut,
                                nativeIn, nativeOut);
                    }
                }
            }
            StringBuilder rounds = new StringBuilder("B/call");
            for (int r = 0; r < 20; r++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int k = 0; k < 10; k++) {
                    for (boolean heap : new boolean[] {true, false}) {
                        for (boolean inDoubles : new boolean[] {false, true}) {
                            for (int i = 0; i < 200; i++) {
                                call(floats, doubles, mask, heap, inDoubles, floatsIn, floatsOut, doublesIn,
                                        doublesOut, nativeIn, nativeOut);
                            }
                        }
                    }
                }
                rounds.append(' ').append((threads.getCurrentThreadAllocatedBytes() - before) / 8_000);
            }
            System.out.println(rounds);
        }

        private static void call(FloatSegmentDropout floats, DoubleSegmentDropout doubles, MemorySegment mask,
                                 boolean heap, boolean inDoubles, MemorySegment floatsIn, MemorySegment floatsOut,
                                 MemorySegment doublesIn, MemorySegment doublesOut, MemorySegment nativeIn,
                                 MemorySegment nativeOut) {
            long s = step++;
            int n = s % 20 == 0 ? 100_000 : SIZES[(int) (s % 5)];
            int offset = OFFSETS[(int) ((s / 7) % 3)];
            long maskOffset = (s / 11) & 1;
            if (inDoubles) {
                doubles.backward(mask, maskOffset, heap ? doublesIn : nativeIn, offset, heap ? doublesOut : nativeOut,
                        offset, n);
            } else {
                floats.backward(mask, maskOffset, heap ? floatsIn : nativeIn, offset, heap ? floatsOut : nativeOut,
                        offset, n);
            }
        }
    }
}
