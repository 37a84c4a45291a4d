package dev.vecdrop.scalar;

import dev.vecdrop.MaskStream;
import dev.vecdrop.kernel.DropoutKernels;
import java.util.Arrays;

/**
 * The scalar reference: plain Java written straight from the mask-stream contract, one element at a time.
 * Every vector kernel must match it bit for bit; vector kernels also call its range methods for their tails.
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
public final class ScalarDropoutKernels implements DropoutKernels {

    /** The only instance. */
    public static final ScalarDropoutKernels INSTANCE = new ScalarDropoutKernels();

    private ScalarDropoutKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorBitSize() {
        return 0;
    }

    @Override
    public void train(long seed, long streamOffset, long threshold, boolean scaled, float scale,
                      float[] x, int xOff, float[] y, int yOff, int length, long[] mask, int maskOff) {
        if (mask != null) {
            Arrays.fill(mask, maskOff, maskOff + ((length + 63) >>> 6), 0L);
        }
        trainRange(seed, streamOffset, threshold, scaled, scale, x, xOff, y, yOff, mask, maskOff, 0, length);
    }

    /**
     * {@link #train} for the elements {@code [from, to)} of a call. Mask bits are OR-ed in, so the caller
     * must have cleared, or written the earlier bits of, the words this range touches.
     */
    public static void trainRange(long seed, long streamOffset, long threshold, boolean scaled, float scale,
                                  float[] x, int xOff, float[] y, int yOff, long[] mask, int maskOff,
                                  int from, int to) {
        for (int i = from; i < to; i++) {
            boolean keep = MaskStream.keep(seed, streamOffset + i, threshold);
            if (x != null) {
                y[yOff + i] = gate(keep, x[xOff + i], scaled, scale);
            }
            if (mask != null) {
                mask[maskOff + (i >>> 6)] |= (keep ? 1L : 0L) << i; // the shift uses i & 63
            }
        }
    }

    @Override
    public void applyMask(long[] mask, int maskOff, boolean scaled, float scale,
                          float[] src, int srcOff, float[] dst, int dstOff, int length) {
        applyMaskRange(mask, maskOff, scaled, scale, src, srcOff, dst, dstOff, 0, length);
    }

    /** {@link #applyMask} for the elements {@code [from, to)} of a call. */
    public static void applyMaskRange(long[] mask, int maskOff, boolean scaled, float scale,
                                      float[] src, int srcOff, float[] dst, int dstOff, int from, int to) {
        for (int i = from; i < to; i++) {
            boolean keep = ((mask[maskOff + (i >>> 6)] >>> i) & 1L) != 0;
            dst[dstOff + i] = gate(keep, src[srcOff + i], scaled, scale);
        }
    }

    @Override
    public void scale(float c, float[] x, int xOff, float[] y, int yOff, int length) {
        scaleRange(c, x, xOff, y, yOff, 0, length);
    }

    /** {@link #scale} for the elements {@code [from, to)} of a call. */
    public static void scaleRange(float c, float[] x, int xOff, float[] y, int yOff, int from, int to) {
        for (int i = from; i < to; i++) {
            y[yOff + i] = x[xOff + i] * c;
        }
    }

    /** A kept element is scaled (or passed through bit for bit); a dropped one is +0.0f whatever it was. */
    private static float gate(boolean keep, float v, boolean scaled, float scale) {
        return keep ? (scaled ? v * scale : v) : 0.0f;
    }
}
