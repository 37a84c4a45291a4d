package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A segment of a confined arena, passed on a thread that does not own it, is rejected with the JDK's own
 * {@link WrongThreadException} before anything is written: left to the kernels, the JDK threw at its first access
 * of it, after the output's first words (a forward with a confined mask wrote 46 elements of {@code y}, and a
 * {@link DropoutLayer} had moved its position; stop 28 review).
 */
class ConfinedSegmentTest {

    private static final int N = 200;
    private static final float FILL = 42.5f;

    @Test
    void aConfinedSegmentOnAnotherThreadIsRejectedBeforeAnythingIsWritten() throws Exception {
        Dropout dropout = Dropout.inverted(0.5);
        DropoutLayer layer = new DropoutLayer(dropout, 5);
        GaussianDropout gaussian = GaussianDropout.of(0.3);
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment ownX = confined.allocate((long) N * Float.BYTES);
            MemorySegment ownMask = confined.allocate(Dropout.maskWords(N) * (long) Long.BYTES);
            MemorySegment x = shared.allocate((long) N * Float.BYTES);
            MemorySegment y = shared.allocate((long) N * Double.BYTES);
            MemorySegment mask = shared.allocate(Dropout.maskWords(N) * (long) Long.BYTES);
            y.fill((byte) 7);
            List<Executable> calls = new ArrayList<>();
            calls.add(() -> dropout.floatSegments().forward(1, 0, x, 0, y, 0, N, ownMask, 0));
            calls.add(() -> dropout.floatSegments().forward(1, 0, ownX, 0, y, 0, N));
            calls.add(() -> dropout.doubleSegments().backward(ownMask, 0, y, 0, y, 0, N / 2));
            calls.add(() -> layer.forwardFloats(x, 0, y, 0, N, ownMask, 0));
            calls.add(() -> gaussian.forwardFloats(1, 0, ownX, 0, y, 0, N));
            calls.add(() -> ParallelDropout.of(dropout, Runnable::run, 2).forwardFloats(1, 0, x, 0, y, 0, N, ownMask,
                    0));
            for (int i = 0; i < calls.size(); i++) {
                Executable call = calls.get(i);
                Throwable thrown = CompletableFuture.supplyAsync(() -> {
                    try {
                        call.execute();
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                }).get();
                int which = i;
                assertTrue(thrown instanceof WrongThreadException, "call " + which + " threw " + thrown);
                for (long b = 0; b < y.byteSize(); b++) {
                    assertEquals(7, y.get(ValueLayout.JAVA_BYTE, b), "call " + which + " wrote y at byte " + b);
                }
                assertEquals(0, layer.position(), "call " + which + " moved the layer");
                assertTrue(thrown.getMessage().contains("another thread"), thrown.getMessage());
            }
            // On its own thread the same confined segments are fine.
            assertEquals(0, layer.forwardFloats(ownX, 0, y, 0, N, ownMask, 0));
        }
    }
}
