package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The hot paths allocate nothing once warm, measured, in this JVM and in fresh JVMs that warm the kernels up in
 * other orders: the fewest bytes counted over three rounds of {@value AllocationProbe#MEASURED_CALLS} calls must be 0.
 */
@Tag("matrix")
class AllocationTest {

    @Test
    void noAllocationAfterWarmUpInThisJvm() {
        assertAllocationFree("in-process, natural order", new AllocationProbe().run(List.of(AllocationProbe.Op.values())));
    }

    @Test
    void noAllocationAfterWarmUpInReverseOrder() throws Exception {
        List<AllocationProbe.Op> order = new ArrayList<>(List.of(AllocationProbe.Op.values()));
        Collections.reverse(order);
        assertAllocationFree("fresh JVM, reverse order", inFreshJvm(order));
    }

    @Test
    void noAllocationAfterWarmUpBackwardAndMaskFirst() throws Exception {
        List<AllocationProbe.Op> order = List.of(AllocationProbe.Op.BACKWARD_BITS, AllocationProbe.Op.MASK,
                AllocationProbe.Op.LAYER, AllocationProbe.Op.EVAL_CLASSIC, AllocationProbe.Op.FORWARD_MASK,
                AllocationProbe.Op.BACKWARD_REGENERATE, AllocationProbe.Op.FORWARD);
        assertAllocationFree("fresh JVM, backward and mask first", inFreshJvm(order));
    }

    private static void assertAllocationFree(String run, Map<AllocationProbe.Op, Long> bytes) {
        assertEquals(AllocationProbe.Op.values().length, bytes.size(), run + ": not every op was measured: " + bytes);
        bytes.forEach((op, used) -> assertEquals(0L, used,
                run + " on " + Vectorization.implementation() + ": " + op + " allocated " + used + " bytes in "
                        + AllocationProbe.MEASURED_CALLS + " calls; all: " + bytes));
    }

    /** Runs the probe in a new JVM with this JVM's vector module, width property and -XX flags. */
    private static Map<AllocationProbe.Op, Long> inFreshJvm(List<AllocationProbe.Op> order)
            throws IOException, InterruptedException {
        String out = FreshJvm.run(List.of(), AllocationProbe.class, order.stream().map(Enum::name).toList());
        Map<AllocationProbe.Op, Long> bytes = new HashMap<>();
        Arrays.stream(out.split("\n")).filter(line -> !line.isBlank()).forEach(line -> {
            String[] parts = line.trim().split(" ");
            bytes.put(AllocationProbe.Op.valueOf(parts[0]), Long.parseLong(parts[1]));
        });
        return bytes;
    }
}
