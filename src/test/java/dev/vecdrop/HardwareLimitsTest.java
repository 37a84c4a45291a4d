package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecdrop.kernel.KernelSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the selector does on CPUs the build machine can only imitate with HotSpot flags (a review helper's findings,
 * stop 31): SSE-only x86 ({@code -XX:UseAVX=0}), where C2 leaves the Vector API's conversions and compares
 * uncompiled and the vector kernels boxed every vector (180-570 KB a 4K-float forward, slower than scalar), gets
 * the scalar kernels and says why; and a CPU without hardware fma ({@code -XX:-UseFMA}), where {@code Math.fma}
 * runs in {@code BigDecimal} and the normal stream thousands of times slower, is detected for the log line's
 * warning. In fresh JVMs, as the flags must be there at start-up.
 */
class HardwareLimitsTest {

    @Test
    void sseOnlyX86GetsTheScalarKernelsAndSaysWhy() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "UseAVX is an x86 flag");
        assumeTrue(KernelSelector.vectorModulePresent(), "without the vector module the kernels are scalar anyway");
        String[] out = FreshJvm.run(List.of("-XX:UseAVX=0"), Probe.class, List.of()).trim().split("\n");
        assertEquals("scalar", out[0], String.join(" | ", out));
        assertEquals("-XX:UseAVX=0 (SSE only): C2 does not compile the Vector API's conversions there", out[1]);
    }

    @Test
    void aJvmWithoutHardwareFmaIsDetected() throws Exception {
        assumeTrue(KernelSelector.hardwareFma(), "this JVM itself has no hardware fma");
        String[] out = FreshJvm.run(List.of("-XX:-UseFMA"), Probe.class, List.of()).trim().split("\n");
        assertEquals("false", out[2], String.join(" | ", out));
    }

    /** Prints the implementation, the reason, and whether fma is in hardware. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(Vectorization.implementation());
            System.out.println(Vectorization.reason());
            System.out.println(KernelSelector.hardwareFma());
        }
    }
}
