package dev.vecdrop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecdrop.Vectorization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training run gives the same bits at every vector width: the dropout masks are a function of the stream
 * position, and the matrix kernel sums every element with fma in one fixed order. Each width runs in its own JVM
 * (the width is chosen once per JVM); this JVM runs the CPU's widest (512 bits on AVX-512, 256 on AVX2, where a
 * forced 512 would be clamped to it), so the fresh JVMs run the scalar path, 128 and 256 bits.
 */
class TrainingAcrossWidthsTest {

    @Test
    void theSameRunAtEveryWidthGivesTheSameBits() throws Exception {
        String here = TrainingFingerprint.run();
        for (String width : new String[] {"scalar", "128", "256"}) {
            String there = FreshJvm.run(List.of("-Dvecdrop.vector.bits=" + width), TrainingFingerprint.class, List.of()).trim();
            assertEquals(here, there, "width " + width + " against " + Vectorization.implementation() + " in this JVM");
        }
    }
}
