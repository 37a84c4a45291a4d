package dev.vecdrop.scalar;

import dev.vecdrop.MaskStream;
import dev.vecdrop.kernel.FusedFloatKernels;

/**
 * The scalar reference of the fused float32 kernels: plain loops, one element at a time, exactly rounded float
 * operations in a fixed order ({@code pre = x + bias}; {@code a = act(pre)}; {@code y = keep ? a * scale : +0.0f}).
 * The vector kernels must match it bit for bit and call its row-range methods for their heads and tails.
 * Hand-written, float32 arrays only.
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
public final class ScalarFusedFloatKernels implements FusedFloatKernels {

    /** The only instance. */
    public static final ScalarFusedFloatKernels INSTANCE = new ScalarFusedFloatKernels();

    /** Activation kind codes, as in {@link FusedFloatKernels}. */
    public static final int IDENTITY = 0;
    /** ReLU. */
    public static final int RELU = 1;
    /** Leaky ReLU. */
    public static final int LEAKY_RELU = 2;

    private ScalarFusedFloatKernels() {}

    /** {@return {@code act(pre)}}: identity, {@code pre <= 0 ? +0.0f : pre}, or {@code pre < 0 ? pre * alpha : pre} */
    public static float activate(int act, float alpha, float pre) {
        return switch (act) {
            case RELU -> pre <= 0f ? 0f : pre;
            case LEAKY_RELU -> pre < 0f ? pre * alpha : pre;
            default -> pre;
        };
    }

    @Override
    public void biasActForward(long seed, long streamOffset, long threshold, float scale, int act, float alpha,
                               float[] x, int xOff, float[] bias, int biasOff, float[] y, int yOff,
                               long[] mask, int maskOff, int rows, int features) {
        if (mask != null) {
            for (int w = 0, words = (int) (((long) rows * features + 63) >>> 6); w < words; w++) {
                mask[maskOff + w] = 0L;
            }
        }
        for (int r = 0; r < rows; r++) {
            biasActForwardRange(seed, streamOffset, threshold, scale, act, alpha, x, xOff, bias, biasOff, y, yOff,
                    mask, maskOff, r * features, 0, features);
        }
    }

    /**
     * The forward for columns {@code [from, to)} of the row starting at call element {@code base}. Mask bits, when
     * {@code mask != null}, are OR-ed in: the caller has cleared the words.
     */
    public static void biasActForwardRange(long seed, long streamOffset, long threshold, float scale, int act,
                                           float alpha, float[] x, int xOff, float[] bias, int biasOff,
                                           float[] y, int yOff, long[] mask, int maskOff, int base,
                                           int from, int to) {
        for (int j = from; j < to; j++) {
            int i = base + j;
            boolean keep = MaskStream.keep(seed, streamOffset + i, threshold);
            float pre = x[xOff + i] + bias[biasOff + j];
            float a = activate(act, alpha, pre);
            y[yOff + i] = keep ? a * scale : 0f;
            if (mask != null && keep) {
                mask[maskOff + (i >>> 6)] |= 1L << i;
            }
        }
    }

    @Override
    public void biasActBackward(long seed, long streamOffset, long threshold, float scale, int act, float alpha,
                                float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                float[] dBias, int dBiasOff, int rows, int features) {
        if (dBias != null) {
            for (int j = 0; j < features; j++) {
                dBias[dBiasOff + j] = 0f;
            }
        }
        for (int r = 0; r < rows; r++) {
            biasActBackwardRange(seed, streamOffset, threshold, scale, act, alpha, y, yOff, dy, dyOff, dx, dxOff,
                    dBias, dBiasOff, r * features, 0, features);
        }
    }

    /** {@return {@code dx} of one element: {@code keep ? act'(y) * (dy * scale) : +0.0f}} */
    public static float gradient(boolean keep, float scale, int act, float alpha, float y, float dy) {
        if (!keep) {
            return 0f;
        }
        float g = dy * scale;
        return switch (act) {
            case RELU -> y > 0f ? g : 0f;
            case LEAKY_RELU -> y > 0f ? g : g * alpha;
            default -> g;
        };
    }

    /**
     * The backward for columns {@code [from, to)} of the row starting at call element {@code base}; adds each
     * {@code dx} to {@code dBias[j]} when {@code dBias != null}.
     */
    public static void biasActBackwardRange(long seed, long streamOffset, long threshold, float scale, int act,
                                            float alpha, float[] y, int yOff, float[] dy, int dyOff,
                                            float[] dx, int dxOff, float[] dBias, int dBiasOff, int base,
                                            int from, int to) {
        for (int j = from; j < to; j++) {
            int i = base + j;
            boolean keep = MaskStream.keep(seed, streamOffset + i, threshold);
            float d = gradient(keep, scale, act, alpha, y[yOff + i], dy[dyOff + i]);
            dx[dxOff + i] = d;
            if (dBias != null) {
                dBias[dBiasOff + j] = dBias[dBiasOff + j] + d;
            }
        }
    }

    @Override
    public void residualForward(long seed, long streamOffset, long threshold, float scale,
                                float[] x, int xOff, float[] residual, int rOff, float[] y, int yOff, int length) {
        residualForwardRange(seed, streamOffset, threshold, scale, x, xOff, residual, rOff, y, yOff, 0, length);
    }

    /** The residual forward for the call elements {@code [from, to)}. */
    public static void residualForwardRange(long seed, long streamOffset, long threshold, float scale,
                                            float[] x, int xOff, float[] residual, int rOff, float[] y, int yOff,
                                            int from, int to) {
        for (int i = from; i < to; i++) {
            boolean keep = MaskStream.keep(seed, streamOffset + i, threshold);
            y[yOff + i] = residual[rOff + i] + (keep ? x[xOff + i] * scale : 0f);
        }
    }
}
