package dev.vecdrop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecdrop.Vectorization;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A training run gives the same bits at every vector width: the dropout masks are a function of the stream
 * position, and the matrix kernel sums every element with fma in one fixed order. Each width runs in its own JVM
 * (the width is chosen once per JVM); this JVM runs the CPU's widest (512 bits on AVX-512, 256 on AVX2, where a
 * forced 512 would be clamped to it), so the fresh JVMs run the scalar path, 128 and 256 bits, all at once (one
 * after the other they were the CLI build's longest test, on its slowest path through the sibling builds).
 */
class TrainingAcrossWidthsTest {

    @Test
    void theSameRunAtEveryWidthGivesTheSameBits() throws Exception {
        List<String> widths = List.of("scalar", "128", "256");
        try (ExecutorService jvms = Executors.newFixedThreadPool(widths.size())) {
            List<Future<String>> runs = widths.stream().map(width -> jvms.submit(() -> FreshJvm.run(
                    List.of("-Dvecdrop.vector.bits=" + width), TrainingFingerprint.class, List.of()))).toList();
            String here = TrainingFingerprint.run();
            for (int w = 0; w < widths.size(); w++) {
                String there;
                try {
                    there = runs.get(w).get().trim();
                } catch (ExecutionException e) { // the child's failure, as FreshJvm reported it
                    throw new AssertionError("width " + widths.get(w) + ": " + e.getCause().getMessage(), e.getCause());
                }
                assertEquals(here, there,
                        "width " + widths.get(w) + " against " + Vectorization.implementation() + " in this JVM");
            }
        }
    }
}
