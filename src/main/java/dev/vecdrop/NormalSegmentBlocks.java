package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The gaussian layers over memory segments (float32 and float64, heap or native): the segment is copied in chunks of
 * {@value #CHUNK} elements into a per-thread array, {@link NormalBlocks}'s array loop runs on the chunk in place (the
 * per-channel loop, told which element of the region the chunk starts at, for a per-channel layout), and
 * the chunk is copied out to {@code y}. So a segment gets the arrays' loops, the float32 vector ones included, and
 * the arrays' bits (a copy moves bits, NaN payloads and all). The chunks stay in L1; the two copies cost less than
 * what they replace, a fill into a block and a loop that read and wrote the segments one element at a time: float32
 * gaussian dropout over native segments of 16K elements 2.3-2.5 ns per element against 3.8-4.5 (best of 12 rounds,
 * three fresh JVMs each, alternated, stop 21, this VM; at 16M both ran 2.8-4.6, noise wider than any difference).
 * A vector step over segments of its own, tried in stop 18, boxed in 2 of 38 fresh AVX2 JVMs; the copies add no
 * Vector API call site, the chunk runs the arrays' compiled loop.
 *
 * <p>Arguments are not checked here: the callers have checked them. In place ({@code y} the same memory at the same
 * offset) is safe: a chunk is read whole before it is written.
 *
 * <p>Thread-safety: stateless but for the per-thread arrays. Allocation: on a thread's first call, a
 * {@value #CHUNK}-element float or double array (4 or 8 KiB) besides {@link NormalBlocks}'s scratch blocks; none
 * after (virtual threads share a few: {@link PerThread}).
 */
final class NormalSegmentBlocks {

    /** Elements a chunk holds: a few vector loops' worth, small enough to stay in L1 with the normals' block. */
    static final int CHUNK = 1024;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final PerThread<float[]> FLOAT_CHUNK = new PerThread<>(() -> new float[CHUNK]);
    private static final PerThread<double[]> DOUBLE_CHUNK = new PerThread<>(() -> new double[CHUNK]);

    /** What an element's normal does, with the element type of the segments. */
    enum Combine {
        /** float32 {@code y = x * fma(c, z, 1f)}: gaussian dropout. */
        FLOAT_MULTIPLY,
        /** float32 {@code y = fma(c, z, x)}: gaussian noise. */
        FLOAT_ADD,
        /** float64 {@code y = x * fma(c, (double) z, 1.0)}. */
        DOUBLE_MULTIPLY,
        /** float64 {@code y = fma(c, (double) z, x)}. */
        DOUBLE_ADD
    }

    private NormalSegmentBlocks() {}

    /**
     * {@code y[i] = combine(x[i], z(seed, e + d(first + i)))} for {@code i} in {@code [0, n)}, {@code d} an
     * element's decision in {@code layout} (itself element-wise), over elements {@code [first, first + n)} of a
     * region whose element 0 is stream element {@code e}: {@code xOff} and {@code yOff} are element {@code first}
     * (0 for a whole region; a parallel chunk's start otherwise). Element offsets; {@code c} is the float32
     * coefficient widened (exact) for the float32 combinations, the float64 one for the others.
     */
    static void apply(Combine combine, ChannelLayout layout, long seed, long e, long first, MemorySegment x,
                      long xOff, MemorySegment y, long yOff, long n, double c) {
        if (combine == Combine.FLOAT_MULTIPLY || combine == Combine.FLOAT_ADD) {
            float[] chunk = FLOAT_CHUNK.borrow();
            for (long i = 0; i < n; ) {
                int len = chunkLength(e + first + i, n - i);
                MemorySegment.copy(x, FLOAT, (xOff + i) * Float.BYTES, chunk, 0, len);
                // chunk[0] is element first + i of the region: the array loop maps it to its stream element
                if (combine == Combine.FLOAT_MULTIPLY) {
                    NormalBlocks.multiply(layout, seed, e, first + i, chunk, 0, chunk, 0, len, (float) c);
                } else {
                    NormalBlocks.add(layout, seed, e, first + i, chunk, 0, chunk, 0, len, (float) c);
                }
                MemorySegment.copy(chunk, 0, y, FLOAT, (yOff + i) * Float.BYTES, len);
                i += len;
            }
            FLOAT_CHUNK.giveBack(chunk);
        } else {
            double[] chunk = DOUBLE_CHUNK.borrow();
            for (long i = 0; i < n; ) {
                int len = chunkLength(e + first + i, n - i);
                MemorySegment.copy(x, DOUBLE, (xOff + i) * Double.BYTES, chunk, 0, len);
                if (combine == Combine.DOUBLE_MULTIPLY) {
                    NormalBlocks.multiply(layout, seed, e, first + i, chunk, 0, chunk, 0, len, c);
                } else {
                    NormalBlocks.add(layout, seed, e, first + i, chunk, 0, chunk, 0, len, c);
                }
                MemorySegment.copy(chunk, 0, y, DOUBLE, (yOff + i) * Double.BYTES, len);
                i += len;
            }
            DOUBLE_CHUNK.giveBack(chunk);
        }
    }

    /**
     * The next chunk's length from stream element {@code e}, {@code left} elements to go: one short when {@code e}
     * is odd, so that every later chunk starts at an even element and is whole Box-Muller pairs for the array loop
     * (which does an odd first element alone).
     */
    private static int chunkLength(long e, long left) {
        return (int) Math.min(CHUNK - (e & 1), left);
    }

    /**
     * {@code y = x} over {@code n} elements of {@code layout}'s size (element offsets), the bytes as they are. The
     * JDK's copy works as through a temporary, so in place (or any overlap) is safe.
     */
    static void copy(ValueLayout layout, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        long size = layout.byteSize();
        MemorySegment.copy(x, xOff * size, y, yOff * size, n * size);
    }

    /** The training calls' checks over float32 segments, in {@link Dropout}'s order, before anything is written. */
    static void checkFloats(ChannelLayout layout, long streamOffset, String inName, MemorySegment in, long inOffset,
                            String outName, MemorySegment out, long outOffset, long length) {
        FloatSegmentDropout.checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        layout.checkLength(length);
        Checks.stream(streamOffset, layout.decisions(length));
    }

    /** The training calls' checks over float64 segments. */
    static void checkDoubles(ChannelLayout layout, long streamOffset, String inName, MemorySegment in, long inOffset,
                             String outName, MemorySegment out, long outOffset, long length) {
        DoubleSegmentDropout.checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        layout.checkLength(length);
        Checks.stream(streamOffset, layout.decisions(length));
    }
}
