package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A JVM whose callers pass both heap masks (over a {@code long[]}) and native masks to the same segment kernels
 * compiles each mask-writing kernel for good after a few tries: C2's hoisted loop checks do not fail over and over.
 * Before the mask-writing forward loops were split by mask kind (stop 30), each of them was deoptimised about 95
 * times in a row on a hoisted check (trap reason {@code profile_predicate}) until C2's per-method limit stopped that
 * speculation, and ran interpreted or in C1 meanwhile: 100,000 rounds of {@link MixedMaskProbe}'s forms took 13.9 s
 * against 2.1 s with native masks only. Counted from the fresh JVM's own deoptimisation log, per vecdrop method
 * named as the trapping one; the log must show traps at all, so a silent log cannot pass.
 */
class MixedMaskKindsTest {

    /** Far under the 74-95 per kernel of the storm in this probe, over the 4-6 of a few recompilations. */
    private static final int FEW_TRAPS_PER_METHOD = 20;

    @Test
    void heapAndNativeMasksInTurnDoNotDeoptimiseAKernelOverAndOver() throws Exception {
        if (Vectorization.vectorBitSize() == 0) {
            return; // the scalar path has no hoisted vector loop checks to lose
        }
        List<String> lines = List.of(FreshJvm.run(List.of("-Xlog:deoptimization=debug:stdout"), MixedMaskProbe.class,
                List.of()).split("\n"));
        assertTrue(lines.contains("DONE"), "the probe did not finish");
        assertTrue(lines.stream().anyMatch(l -> l.contains("[deoptimization]") && l.contains(" trap_bci=")),
                "no trap line in the log: has its format changed?");
        Map<String, Integer> trapsPerMethod = new TreeMap<>();
        for (String line : lines) {
            int at = line.indexOf(" dev.vecdrop.");
            if (line.contains("[deoptimization]") && line.contains(" profile_predicate ") && at >= 0) {
                String method = line.substring(at + 1, line.indexOf('(', at));
                trapsPerMethod.merge(method, 1, Integer::sum);
            }
        }
        trapsPerMethod.forEach((method, traps) -> assertTrue(traps <= FEW_TRAPS_PER_METHOD,
                method + " trapped " + traps + " times on a hoisted loop check; all: " + trapsPerMethod));
    }
}
