package dev.vecdrop.kernel;

/**
 * One implementation of the dropout kernels: the scalar reference or a vector width. Chosen once at start-up
 * by {@link KernelSelector}; every implementation produces bit-identical results.
 *
 * <p>Kernels trust their arguments: {@code dev.vecdrop.Dropout} validates everything before calling one, and
 * routes the thresholds {@code 0} and {@code 2^32} (drop all, keep all) to its own fast paths.
 *
 * <p>Thread-safety: implementations are stateless and safe for concurrent use on disjoint outputs.
 * Allocation: none, once the JIT has compiled the kernels.
 */
public interface DropoutKernels {

    /** Short name for logs and reports: {@code "scalar"} or {@code "vector-512"}. */
    String name();

    /** Vector width in bits, or 0 for the scalar reference. */
    int vectorBitSize();

    /**
     * Training forward for elements {@code i} in {@code [0, length)}, with
     * {@code keep_i = MaskStream.keep(seed, streamOffset + i, threshold)}:
     * {@code y[yOff + i] = keep_i ? (scaled ? x[xOff + i] * scale : x[xOff + i]) : +0.0f}.
     * With {@code x == null} only the mask is produced. With {@code mask != null} the words
     * {@code [maskOff, maskOff + ceil(length / 64))} are written whole: bit {@code i & 63} of word
     * {@code i >>> 6} is {@code keep_i}, bits past {@code length} are zero.
     *
     * @param threshold strictly between {@code 0} and {@code 2^32}
     */
    void train(long seed, long streamOffset, long threshold, boolean scaled, float scale,
               float[] x, int xOff, float[] y, int yOff, int length, long[] mask, int maskOff);

    /**
     * Applies a stored bit mask: {@code dst[dstOff + i] = bit_i ? (scaled ? src[srcOff + i] * scale : src[srcOff + i]) : +0.0f}
     * where {@code bit_i} is bit {@code i & 63} of {@code mask[maskOff + (i >>> 6)]}.
     */
    void applyMask(long[] mask, int maskOff, boolean scaled, float scale,
                   float[] src, int srcOff, float[] dst, int dstOff, int length);

    /** {@code y[yOff + i] = x[xOff + i] * c}: classic eval, and the memory-bound limit kernel of the benchmarks. */
    void scale(float c, float[] x, int xOff, float[] y, int yOff, int length);
}
