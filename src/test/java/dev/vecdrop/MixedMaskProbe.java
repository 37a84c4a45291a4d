package dev.vecdrop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A fresh JVM's main for {@code MixedMaskKindsTest}: runs the segment forms that write or read a mask, alternating a
 * mask over a {@code long[]} and a native one call by call, as a service that takes both kinds would. Prints
 * {@code DONE} at the end; the test reads the JVM's deoptimisation log around it.
 */
final class MixedMaskProbe {

    /** Rounds: well past the calls after which C2 compiles the kernels (the storm, where there is one, runs for seconds). */
    static final int ROUNDS = 10_000;

    private MixedMaskProbe() {}

    public static void main(String[] args) {
        int n = 4096 - 17; // whole mask words and a tail
        int features = 64;
        Dropout dropout = Dropout.inverted(0.5);
        FloatSegmentDropout floats = dropout.floatSegments();
        DoubleSegmentDropout doubles = dropout.doubleSegments();
        FloatSegmentDropout runs = dropout.perChannel(ChannelLayout.channelsFirst(69, 7)).floatSegments();
        FloatSegmentDropout rows = dropout.perChannel(ChannelLayout.channelsLast(7, 12)).floatSegments();
        FusedFloatSegmentDropout fused = FusedDropout.of(dropout, Activation.relu()).floatSegments();
        long words = Dropout.maskWords(8192);
        MemorySegment heapMask = MemorySegment.ofArray(new long[(int) words]);
        MemorySegment nativeMask = Arena.global().allocate(words * Long.BYTES, Long.BYTES);
        MemorySegment x = Arena.global().allocate(8192L * Double.BYTES, Long.BYTES);
        MemorySegment y = Arena.global().allocate(8192L * Double.BYTES, Long.BYTES);
        MemorySegment bias = Arena.global().allocate(features * (long) Float.BYTES, Long.BYTES);
        for (int r = 0; r < ROUNDS; r++) {
            MemorySegment mask = (r & 1) == 0 ? nativeMask : heapMask;
            floats.mask(r, 2L * r, mask, 0, n);
            floats.forward(r, 2L * r, x, 0, y, 0, n, mask, 0);
            floats.backward(mask, 0, x, 0, y, 0, n);
            doubles.forward(r, 2L * r, x, 0, y, 0, n, mask, 0);
            doubles.backward(mask, 0, x, 0, y, 0, n);
            runs.forward(r, 2L * r, x, 0, y, 0, 69 * 7 * 8, mask, 0);
            rows.forward(r, 2L * r, x, 0, y, 0, 7 * 12 * 40, mask, 0);
            fused.forward(r, 2L * r, x, 0, bias, 0, y, 0, 4096, features, mask, 0);
        }
        System.out.println("DONE");
    }
}
