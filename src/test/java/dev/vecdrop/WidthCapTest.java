package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A forced width above what the CPU supports is capped to the CPU's width, seen for real in a JVM whose hardware
 * width is below 512 bits even on an AVX-512 build machine (where a forced 512-bit request never reaches the cap):
 * {@code -XX:UseAVX=2} makes the JIT treat the CPU as AVX2 (256 bits); on other CPUs the flag is ignored and
 * their own width (128-bit NEON, say) is below 512 anyway.
 */
class WidthCapTest {

    @Test
    void aRequestFor512BitsOnNarrowerVectorsGetsTheHardwareWidthAndSaysWhy() throws Exception {
        String[] out = FreshJvm.run(List.of("-XX:+IgnoreUnrecognizedVMOptions", "-XX:UseAVX=2",
                "-D" + Vectorization.WIDTH_PROPERTY + "=512"), Probe.class, List.of()).trim().split("\n", 3);
        int hardware = Integer.parseInt(out[0]);
        assertTrue(hardware >= 128 && hardware < 512, "the fresh JVM was meant to have 128..256-bit vectors: " + hardware);
        assertEquals("vector-" + hardware, out[1], out[2]);
        assertTrue(out[2].contains("asked for more than the " + hardware + " bits"), out[2]);
    }

    /** Prints the hardware width (from the Vector API, not the kernels), the implementation and the reason. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(SelectionTest.hardwareBits());
            System.out.println(Vectorization.implementation());
            System.out.println(Vectorization.reason());
        }
    }
}
