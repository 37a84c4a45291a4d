package dev.vecdrop.kernel;

/**
 * The fused float32 array kernels behind {@code FusedDropout}: {@code y = dropout(act(x + bias))} over
 * {@code [rows x features]} row-major with {@code bias} broadcast over rows, its backward, and
 * {@code y = residual + dropout(x)}. Arguments are checked by the caller. {@code act} is a kind code
 * ({@code 0} identity, {@code 1} ReLU, {@code 2} leaky ReLU with {@code alpha}). Call element {@code i} uses mask
 * stream element {@code streamOffset + i}; masks are packed bits as for dropout.
 *
 * <p>Hand-written (not generated from the templates), float32 arrays only.
 *
 * <p>Thread-safety: implementations are stateless. Allocation: none.
 */
public interface FusedFloatKernels {

    /** {@code y[r, j] = keep ? act(x[r, j] + bias[j]) * scale : +0.0f}; stores the keep bits when {@code mask != null}. */
    void biasActForward(long seed, long streamOffset, long threshold, float scale, int act, float alpha,
                        float[] x, int xOff, float[] bias, int biasOff, float[] y, int yOff,
                        long[] mask, int maskOff, int rows, int features);

    /**
     * {@code dx = keep ? act'(y) * (dy * scale) : +0.0f} with {@code act'} read from the forward's output {@code y};
     * when {@code dBias != null}, {@code dBias[j] = sum over rows r, in order from +0.0f, of dx[r, j]}.
     */
    void biasActBackward(long seed, long streamOffset, long threshold, float scale, int act, float alpha,
                         float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                         float[] dBias, int dBiasOff, int rows, int features);

    /** {@code y = residual + (keep ? x * scale : +0.0f)}. */
    void residualForward(long seed, long streamOffset, long threshold, float scale,
                         float[] x, int xOff, float[] residual, int rOff, float[] y, int yOff, int length);
}
