package dev.vecdrop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The gaussian layers over memory segments (float32 and float64, heap or native), as {@link NormalBlocks} does
 * them over arrays: blocks of {@value NormalBlocks#BLOCK} normals from the fill into the same per-thread scratch,
 * then a plain loop reads {@code x} from its segment and writes {@code y}. Each element is the arrays' formula,
 * operation for operation ({@link Combine}), so a segment gives the bits the array gives.
 *
 * <p>One loop serves the four combinations: the combination is a loop-invariant {@code switch} per element, which
 * the branch predictor takes for free next to the fill's cost (a normal costs nanoseconds, the branch none); a
 * copy of the loop per combination would be four more copies of {@link NormalBlocks}'s loop.
 *
 * <p>Arguments are not checked here: the callers have checked them. In place ({@code y} the same memory at the same
 * offset) is safe: element {@code i} is read before it is written and nothing else reads it.
 *
 * <p>Thread-safety: stateless but for the per-thread scratch. Allocation: {@link NormalBlocks}'s scratch block per
 * thread, on that thread's first call; none after.
 */
final class NormalSegmentBlocks {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

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
     * {@code y[i] = combine(x[i], z(seed, e + i))} for {@code i} in {@code [0, n)}, element offsets; {@code c} is the
     * float32 coefficient widened (exact) for the float32 combinations, the float64 one for the others.
     */
    static void apply(Combine combine, long seed, long e, MemorySegment x, long xOff, MemorySegment y, long yOff,
                      long n, double c) {
        if (n == 0) {
            return;
        }
        long i = 0;
        if ((e & 1) != 0) { // an odd start would put every block across a pair: the first element alone
            element(combine, NormalStream.z(seed, e), x, xOff, y, yOff, c);
            i = 1;
        }
        float[] z = NormalBlocks.scratch();
        while (i < n) {
            int len = (int) Math.min(NormalBlocks.BLOCK, n - i);
            NormalStream.fillUnchecked(seed, e + i, z, 0, len);
            for (int j = 0; j < len; j++) {
                element(combine, z[j], x, xOff + i + j, y, yOff + i + j, c);
            }
            i += len;
        }
    }

    private static void element(Combine combine, float z, MemorySegment x, long xi, MemorySegment y, long yi,
                                double c) {
        switch (combine) {
            case FLOAT_MULTIPLY -> y.setAtIndex(FLOAT, yi, x.getAtIndex(FLOAT, xi) * Math.fma((float) c, z, 1f));
            case FLOAT_ADD -> y.setAtIndex(FLOAT, yi, Math.fma((float) c, z, x.getAtIndex(FLOAT, xi)));
            case DOUBLE_MULTIPLY -> y.setAtIndex(DOUBLE, yi, x.getAtIndex(DOUBLE, xi) * Math.fma(c, (double) z, 1.0));
            case DOUBLE_ADD -> y.setAtIndex(DOUBLE, yi, Math.fma(c, (double) z, x.getAtIndex(DOUBLE, xi)));
        }
    }

    /** The training calls' checks over float32 segments, in {@link Dropout}'s order, before anything is written. */
    static void checkFloats(long streamOffset, String inName, MemorySegment in, long inOffset, String outName,
                            MemorySegment out, long outOffset, long length) {
        FloatSegmentDropout.checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        Checks.stream(streamOffset, length);
    }

    /** The training calls' checks over float64 segments. */
    static void checkDoubles(long streamOffset, String inName, MemorySegment in, long inOffset, String outName,
                             MemorySegment out, long outOffset, long length) {
        DoubleSegmentDropout.checkRegions(inName, in, inOffset, outName, out, outOffset, length);
        Checks.stream(streamOffset, length);
    }
}
