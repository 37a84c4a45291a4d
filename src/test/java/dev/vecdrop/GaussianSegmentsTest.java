package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gaussian layers over memory segments give the bits of their array forms (which GaussianMatchesDefinitionTest
 * holds to the definitions): float32 and float64, heap and native, odd and even stream offsets, offsets into the
 * segments, lengths around the block and chunk edges, in place; and bad arguments throw before anything is written.
 */
@Tag("semantics")
class GaussianSegmentsTest {

    /** Around the normals' blocks and the segment path's chunks (1,024 each; 1,023 after an odd stream offset). */
    private static final int[] LENGTHS = {0, 1, 2, 3, 31, 255, 256, 257, 513, 1000, 1023, 1024, 1025, 2049};
    private static final long[] STREAM_OFFSETS = {0, 1, 256, 257, (1L << 40) + 1};
    private static final GaussianDropout DROPOUT = GaussianDropout.of(0.3);
    private static final GaussianNoise NOISE = GaussianNoise.of(0.7);

    private enum Kind { HEAP, NATIVE }

    private static MemorySegment segment(Kind kind, Arena arena, long bytes) {
        return kind == Kind.HEAP ? MemorySegment.ofArray(new byte[(int) bytes]) : arena.allocate(bytes, 8);
    }

    @Test
    void float32SegmentsGiveTheArraysBits() {
        SplittableRandom random = new SplittableRandom(1);
        try (Arena arena = Arena.ofConfined()) {
            for (Kind kind : Kind.values()) {
                for (long e : STREAM_OFFSETS) {
                    for (int n : LENGTHS) {
                        int off = random.nextInt(4);
                        float[] x = new float[off + n];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) random.nextGaussian() * 3;
                        }
                        MemorySegment xs = segment(kind, arena, (long) x.length * Float.BYTES);
                        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, x.length);
                        MemorySegment ys = segment(kind, arena, (long) x.length * Float.BYTES);
                        float[] want = new float[x.length];
                        String at = kind + " e=" + e + " n=" + n;

                        DROPOUT.forward(7, e, x, off, want, off, n);
                        DROPOUT.forwardFloats(7, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED), "dropout forward " + at);
                        DROPOUT.backward(7, e, x, off, want, off, n);
                        DROPOUT.backwardFloats(7, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED), "dropout backward " + at);
                        NOISE.forward(7, e, x, off, want, off, n);
                        NOISE.forwardFloats(7, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED), "noise forward " + at);
                        NOISE.backward(7, e, x, off, want, off, n);
                        NOISE.backwardFloats(7, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED), "noise backward " + at);
                        // In place: the same memory at the same offset.
                        float[] inPlace = x.clone();
                        DROPOUT.forward(7, e, inPlace, off, inPlace, off, n);
                        DROPOUT.forwardFloats(7, e, xs, off, xs, off, n);
                        assertArrayEquals(inPlace, xs.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED), "in place " + at);
                    }
                }
            }
        }
    }

    @Test
    void float64SegmentsGiveTheArraysBits() {
        SplittableRandom random = new SplittableRandom(2);
        try (Arena arena = Arena.ofConfined()) {
            for (Kind kind : Kind.values()) {
                for (long e : STREAM_OFFSETS) {
                    for (int n : LENGTHS) {
                        int off = random.nextInt(4);
                        double[] x = random.doubles(off + n, -4, 4).toArray();
                        MemorySegment xs = segment(kind, arena, (long) x.length * Double.BYTES);
                        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, x.length);
                        MemorySegment ys = segment(kind, arena, (long) x.length * Double.BYTES);
                        double[] want = new double[x.length];
                        String at = kind + " e=" + e + " n=" + n;

                        DROPOUT.forward(9, e, x, off, want, off, n);
                        DROPOUT.forwardDoubles(9, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED), "dropout forward " + at);
                        DROPOUT.backward(9, e, x, off, want, off, n);
                        DROPOUT.backwardDoubles(9, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED),
                                "dropout backward " + at);
                        NOISE.forward(9, e, x, off, want, off, n);
                        NOISE.forwardDoubles(9, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED), "noise forward " + at);
                        NOISE.backward(9, e, x, off, want, off, n);
                        NOISE.backwardDoubles(9, e, xs, off, ys, off, n);
                        assertArrayEquals(want, ys.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED), "noise backward " + at);
                        // In place: the same memory at the same offset.
                        double[] inPlace = x.clone();
                        NOISE.forward(9, e, inPlace, off, inPlace, off, n);
                        NOISE.forwardDoubles(9, e, xs, off, xs, off, n);
                        assertArrayEquals(inPlace, xs.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED), "in place " + at);
                    }
                }
            }
        }
    }

    @Test
    void badArgumentsThrowBeforeAnythingIsWritten() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(64L * Float.BYTES, 8);
            MemorySegment y = arena.allocate(64L * Float.BYTES, 8);
            y.fill((byte) 0x5a);
            byte[] before = y.toArray(ValueLayout.JAVA_BYTE);
            assertThrows(IndexOutOfBoundsException.class, () -> DROPOUT.forwardFloats(1, 0, x, 0, y, 1, 64));
            assertThrows(IndexOutOfBoundsException.class, () -> NOISE.forwardFloats(1, 0, x, 1, y, 0, 64));
            assertThrows(IllegalArgumentException.class, () -> DROPOUT.forwardFloats(1, 0, x, 0, y, 0, -1));
            assertThrows(IllegalArgumentException.class,
                    () -> DROPOUT.backwardFloats(1, Long.MAX_VALUE - 10, x, 0, y, 0, 64));
            assertThrows(IllegalArgumentException.class, () -> NOISE.forwardFloats(1, 0, y, 0, y, 1, 63),
                    "partial overlap");
            assertThrows(IllegalArgumentException.class,
                    () -> DROPOUT.forwardFloats(1, 0, x, 0, y.asReadOnly(), 0, 64), "read-only output");
            assertThrows(NullPointerException.class, () -> NOISE.forwardDoubles(1, 0, null, 0, y, 0, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> NOISE.backwardFloats(1, 0, x, 1, y, 0, 64));
            assertThrows(IllegalArgumentException.class, () -> NOISE.backwardFloats(1, -1, x, 0, y, 0, 64),
                    "the stream offset is checked as the forward's");
            assertThrows(IndexOutOfBoundsException.class, () -> NOISE.backwardDoubles(1, 0, x, 0, y, 0, 33));
            // 64 floats are 32 doubles: 33 is out of bounds.
            assertThrows(IndexOutOfBoundsException.class, () -> DROPOUT.forwardDoubles(1, 0, x, 0, y, 0, 33));
            assertArrayEquals(before, y.toArray(ValueLayout.JAVA_BYTE), "a rejected call wrote into y");
        }
        MemorySegment closedX;
        MemorySegment closedY;
        try (Arena arena = Arena.ofConfined()) {
            closedX = arena.allocate(16);
            closedY = arena.allocate(16);
        }
        MemorySegment cx = closedX;
        MemorySegment cy = closedY;
        assertThrows(IllegalStateException.class, () -> DROPOUT.forwardFloats(1, 0, cx, 0, cy, 0, 4));
    }
}
