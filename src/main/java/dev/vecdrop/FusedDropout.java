package dev.vecdrop;

/**
 * Fused kernels, one pass over memory each: {@code y = dropout(act(x + bias))} over a row-major
 * {@code [rows x features]} region with {@code bias} ({@code features} values) broadcast over the rows, its
 * backward, and {@code y = residual + dropout(x)}. The dropout is a {@link Dropout} with element-wise layout and
 * inverted or classic scaling; the activation an {@link Activation}. Both are fixed at construction.
 *
 * <p>The keep decisions are the dropout's: element {@code i} of a call (row {@code i / features}, column
 * {@code i % features}) uses element {@code streamOffset + i} of the mask stream of {@code seed}, exactly as
 * {@link Dropout#forward(long, long, float[], int, float[], int, int)} does, and a stored mask has the same bits.
 * The operations, each exactly rounded, in this order (so the result is bit for bit the unfused chain of a bias add
 * loop, an activation loop and {@code Dropout.forward}; but where an add meets two NaNs, {@code x + bias},
 * {@code residual + y} or two terms of the bias gradient's sum, which payload comes out is up to the compiled code, as Java leaves it, on every path):
 * <pre>
 * pre = x[r, j] + bias[j]
 * a   = act(pre)                        (see {@link Activation})
 * y   = keep ? a * s : +0.0f            (s = dropout.trainScale(), &gt;= 1)
 * </pre>
 *
 * <p><b>Backward</b> regenerates the keep decisions from {@code (seed, streamOffset)} and reads the activation's
 * derivative from the forward's <em>output</em> {@code y}, so {@code pre} need not be kept:
 * {@code dx = keep ? act'(y) * (dy * s) : +0.0f}, with {@code act'(y) = 1} for the identity; for ReLU
 * {@code y > 0 ? dy * s : +0.0f}; for leaky ReLU {@code y > 0 ? dy * s : (dy * s) * alpha}. This is exact because
 * {@code s >= 1}, so for a kept element {@code y = a * s} has the sign of {@code a} and cannot underflow to zero:
 * <ul>
 * <li>ReLU: {@code y > 0} exactly when kept and {@code pre > 0}. A positive subnormal {@code pre} is {@code > 0}
 * (Java has no flush-to-zero), {@code a = pre} and {@code y = pre * s >= pre > 0}: derivative 1. {@code pre = -0.0f}
 * or {@code +0.0f} gives {@code a = +0.0f}, {@code y = +0.0f}: derivative 0 (the convention {@code relu'(0) = 0},
 * as in PyTorch). NaN {@code pre} gives {@code y = NaN}, {@code NaN > 0} is false: derivative 0.</li>
 * <li>Leaky ReLU ({@code alpha >= 0}): {@code y > 0} exactly when kept and {@code pre > 0}, as above; otherwise
 * {@code pre <= 0} (or NaN) and the derivative is {@code alpha}. {@code y = 0} (either sign) when kept means
 * {@code pre} was {@code ±0.0f}, or a negative whose {@code pre * alpha} rounded to {@code -0.0f} (so small a
 * negative, or any negative with {@code alpha = 0}): all get {@code alpha}, PyTorch's convention
 * {@code leaky'(0) = alpha}; {@code pre = -Infinity} with {@code alpha = 0} gives {@code y = NaN}, not {@code > 0}:
 * {@code alpha} too. A negative {@code alpha}, or {@code -0.0f}, would flip the sign of {@code y} and is rejected by
 * {@link Activation#leakyRelu}.</li>
 * </ul>
 * The bias gradient, when asked for, is {@code dBias[j] = sum over rows r in order, from +0.0f, of dx[r, j]}.
 * For the residual form, {@code dx} is the dropout's backward of {@code dy} ({@link #residualBackward}) and
 * {@code d residual = dy} (nothing to compute).
 *
 * <p>Every method checks all its arguments first and throws before writing anything: a
 * {@link NullPointerException} for a null array, {@link IndexOutOfBoundsException} for a region that does not fit,
 * {@link IllegalArgumentException} for a negative length, {@code features < 1}, a length that is not a multiple of
 * {@code features}, a bad stream offset, regions of one array that overlap without being the same, or a bias (or
 * bias gradient) that is the same array as an output.
 *
 * <p>float32 and float64 ({@code float[]}, {@code double[]}, and memory segments through {@link #floatSegments()}
 * and {@link #doubleSegments()}), with the same operations in each type: a float64 call rounds each step to double,
 * and a leaky ReLU's slope (a {@code float}) is widened exactly. The kernels come from the same templates as the
 * dropout kernels. Rows are vectorised one at a time, so {@code features} below the vector length runs on the
 * scalar reference (as do float64 kernels below 256-bit vectors).
 *
 * <p>Thread-safety: immutable; one instance may be used by any number of threads on disjoint outputs.
 * Allocation: none, once the JIT has compiled the kernels.
 */
public final class FusedDropout {

    private final Dropout dropout;
    private final Activation activation;
    private final FusedFloatArrayDropout floats;
    private final FusedDoubleArrayDropout doubles;
    private final FusedFloatSegmentDropout floatSegments;
    private final FusedDoubleSegmentDropout doubleSegments;

    private FusedDropout(Dropout dropout, Activation activation) {
        this.dropout = dropout;
        this.activation = activation;
        this.floats = new FusedFloatArrayDropout(dropout, activation);
        this.doubles = new FusedDoubleArrayDropout(dropout, activation);
        this.floatSegments = new FusedFloatSegmentDropout(dropout, activation);
        this.doubleSegments = new FusedDoubleSegmentDropout(dropout, activation);
    }

    /**
     * The fused kernels of {@code dropout} after {@code activation}, on the kernels {@code dropout} runs (its
     * {@link Dropout#scalarReference()} gives the scalar fused reference).
     *
     * @param dropout    inverted or classic, element-wise
     * @param activation the activation
     * @return the fused kernels
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException for alpha dropout or a per-channel layout
     */
    public static FusedDropout of(Dropout dropout, Activation activation) {
        java.util.Objects.requireNonNull(dropout, "dropout");
        java.util.Objects.requireNonNull(activation, "activation");
        if (dropout.scaling() == Scaling.ALPHA) {
            throw new IllegalArgumentException("fused kernels take inverted or classic dropout, not alpha");
        }
        if (dropout.layout().kind() != ChannelLayout.Kind.ELEMENTWISE) {
            throw new IllegalArgumentException("fused kernels take element-wise dropout, got " + dropout.layout());
        }
        return new FusedDropout(dropout, activation);
    }

    /** {@return the same fused kernels on the scalar reference, to check or compare against} */
    public FusedDropout scalarReference() {
        return new FusedDropout(dropout.scalarReference(), activation);
    }

    /** {@return the dropout} */
    public Dropout dropout() {
        return dropout;
    }

    /** {@return the activation} */
    public Activation activation() {
        return activation;
    }

    /** {@return the float32 forms over memory segments} */
    public FusedFloatSegmentDropout floatSegments() {
        return floatSegments;
    }

    /** {@return the float64 forms over memory segments} */
    public FusedDoubleSegmentDropout doubleSegments() {
        return doubleSegments;
    }

    /** {@return {@code "scalar"} or {@code "vector-<bits>"}: what the fused kernels run} */
    public String implementation() {
        return dropout.implementation();
    }

    /**
     * Training forward {@code y = dropout(act(x + bias))}, no mask stored.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input, {@code length / features} rows of {@code features}
     * @param xOffset      where the input region starts in {@code x}
     * @param bias         the bias, {@code features} values from {@code biasOffset}; not {@code y}
     * @param biasOffset   where the bias starts
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0}, a multiple of {@code features})
     * @param features     the row length ({@code >= 1})
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] bias, int biasOffset,
                        float[] y, int yOffset, int length, int features) {
        floats.forward(seed, streamOffset, x, xOffset, bias, biasOffset, y, yOffset, length, features);
    }

    /**
     * Training forward that also stores the keep decisions as packed bits, as {@link Dropout}'s masked forward.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param bias         the bias, {@code features} values; not {@code y}
     * @param biasOffset   where the bias starts
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0}, a multiple of {@code features})
     * @param features     the row length ({@code >= 1})
     * @param mask         the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}, written whole
     * @param maskOffset   the mask word of element 0 of the region
     */
    public void forward(long seed, long streamOffset, float[] x, int xOffset, float[] bias, int biasOffset,
                        float[] y, int yOffset, int length, int features, long[] mask, int maskOffset) {
        floats.forward(seed, streamOffset, x, xOffset, bias, biasOffset, y, yOffset, length, features, mask,
                maskOffset);
    }

    /**
     * Backward of {@link #forward} with the mask regenerated from {@code (seed, streamOffset)} and the activation's
     * derivative read from the forward's output {@code y} (see the class comment):
     * {@code dx = keep ? act'(y) * (dy * s) : +0.0f}, and, when {@code dBias} is not null,
     * {@code dBias[j] = sum over rows of dx[r, j]} (overwritten, not accumulated).
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param y            the forward's output
     * @param yOffset      where it starts in {@code y}
     * @param dy           the gradient of the output
     * @param dyOffset     where it starts in {@code dy}
     * @param dx           the gradient of {@code x} (and of {@code pre}), written; may be {@code dy} or {@code y}
     *                     (same offset)
     * @param dxOffset     where it starts in {@code dx}
     * @param length       the number of elements ({@code >= 0}, a multiple of {@code features})
     * @param features     the row length ({@code >= 1})
     * @param dBias        the bias gradient, {@code features} values, written; or null for none. Not one of the
     *                     other arrays
     * @param dBiasOffset  where it starts in {@code dBias}
     */
    public void backward(long seed, long streamOffset, float[] y, int yOffset, float[] dy, int dyOffset,
                         float[] dx, int dxOffset, int length, int features, float[] dBias, int dBiasOffset) {
        floats.backward(seed, streamOffset, y, yOffset, dy, dyOffset, dx, dxOffset, length, features, dBias,
                dBiasOffset);
    }

    /**
     * Residual forward {@code y = residual + dropout(x)}: {@code y = residual + (keep ? x * s : +0.0f)}, the
     * activation unused. Bit for bit {@code Dropout.forward} into a temporary, then {@code residual + temporary}.
     *
     * @param seed           the seed of the mask stream
     * @param streamOffset   the stream element of element 0 of the region ({@code >= 0})
     * @param x              the input that is dropped out
     * @param xOffset        where it starts in {@code x}
     * @param residual       the residual (skip) input
     * @param residualOffset where it starts in {@code residual}
     * @param y              the output; may be {@code x} or {@code residual} (same offset) for in-place
     * @param yOffset        where it starts in {@code y}
     * @param length         the number of elements ({@code >= 0})
     */
    public void residualForward(long seed, long streamOffset, float[] x, int xOffset, float[] residual,
                                int residualOffset, float[] y, int yOffset, int length) {
        floats.residualForward(seed, streamOffset, x, xOffset, residual, residualOffset, y, yOffset, length);
    }

    /**
     * Residual backward for {@code x}: the dropout's backward of {@code dy} ({@code dx = keep ? dy * s : +0.0f});
     * the residual's gradient is {@code dy} itself.
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where it starts in {@code dy}
     * @param dx           the gradient of {@code x}, written; may be {@code dy} (same offset)
     * @param dxOffset     where it starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void residualBackward(long seed, long streamOffset, float[] dy, int dyOffset, float[] dx, int dxOffset,
                                 int length) {
        floats.residualBackward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    /**
     * Training forward over float64, {@code y = dropout(act(x + bias))}, no mask stored.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input, {@code length / features} rows of {@code features}
     * @param xOffset      where the input region starts in {@code x}
     * @param bias         the bias, {@code features} values from {@code biasOffset}; not {@code y}
     * @param biasOffset   where the bias starts
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0}, a multiple of {@code features})
     * @param features     the row length ({@code >= 1})
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] bias, int biasOffset,
                        double[] y, int yOffset, int length, int features) {
        doubles.forward(seed, streamOffset, x, xOffset, bias, biasOffset, y, yOffset, length, features);
    }

    /**
     * Training forward over float64 that also stores the keep decisions as packed bits.
     *
     * @param seed         the seed of the mask stream
     * @param streamOffset the stream element of element 0 of the region ({@code >= 0})
     * @param x            the input
     * @param xOffset      where the input region starts in {@code x}
     * @param bias         the bias, {@code features} values; not {@code y}
     * @param biasOffset   where the bias starts
     * @param y            the output; may be {@code x} (same offset) for in-place
     * @param yOffset      where the output region starts in {@code y}
     * @param length       the number of elements ({@code >= 0}, a multiple of {@code features})
     * @param features     the row length ({@code >= 1})
     * @param mask         the packed keep bits: {@code ceil(length / 64)} words from {@code maskOffset}, written whole
     * @param maskOffset   the mask word of element 0 of the region
     */
    public void forward(long seed, long streamOffset, double[] x, int xOffset, double[] bias, int biasOffset,
                        double[] y, int yOffset, int length, int features, long[] mask, int maskOffset) {
        doubles.forward(seed, streamOffset, x, xOffset, bias, biasOffset, y, yOffset, length, features, mask,
                maskOffset);
    }

    /**
     * Backward over float64, with the mask regenerated from {@code (seed, streamOffset)} and the activation's
     * derivative read from the forward's output {@code y} (see the class comment):
     * {@code dx = keep ? act'(y) * (dy * s) : +0.0}, and, when {@code dBias} is not null,
     * {@code dBias[j] = sum over rows of dx[r, j]} (overwritten, not accumulated).
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param y            the forward's output
     * @param yOffset      where it starts in {@code y}
     * @param dy           the gradient of the output
     * @param dyOffset     where it starts in {@code dy}
     * @param dx           the gradient of {@code x} (and of {@code pre}), written; may be {@code dy} or {@code y}
     *                     (same offset)
     * @param dxOffset     where it starts in {@code dx}
     * @param length       the number of elements ({@code >= 0}, a multiple of {@code features})
     * @param features     the row length ({@code >= 1})
     * @param dBias        the bias gradient, {@code features} values, written; or null for none. Not one of the
     *                     other arrays
     * @param dBiasOffset  where it starts in {@code dBias}
     */
    public void backward(long seed, long streamOffset, double[] y, int yOffset, double[] dy, int dyOffset,
                         double[] dx, int dxOffset, int length, int features, double[] dBias, int dBiasOffset) {
        doubles.backward(seed, streamOffset, y, yOffset, dy, dyOffset, dx, dxOffset, length, features, dBias,
                dBiasOffset);
    }

    /**
     * Residual forward over float64, {@code y = residual + dropout(x)}: {@code y = residual + (keep ? x * s : +0.0)}, the
     * activation unused. Bit for bit {@code Dropout.forward} into a temporary, then {@code residual + temporary}.
     *
     * @param seed           the seed of the mask stream
     * @param streamOffset   the stream element of element 0 of the region ({@code >= 0})
     * @param x              the input that is dropped out
     * @param xOffset        where it starts in {@code x}
     * @param residual       the residual (skip) input
     * @param residualOffset where it starts in {@code residual}
     * @param y              the output; may be {@code x} or {@code residual} (same offset) for in-place
     * @param yOffset        where it starts in {@code y}
     * @param length         the number of elements ({@code >= 0})
     */
    public void residualForward(long seed, long streamOffset, double[] x, int xOffset, double[] residual,
                                int residualOffset, double[] y, int yOffset, int length) {
        doubles.residualForward(seed, streamOffset, x, xOffset, residual, residualOffset, y, yOffset, length);
    }

    /**
     * Residual backward over float64 for {@code x}: the dropout's backward of {@code dy} ({@code dx = keep ? dy * s : +0.0});
     * the residual's gradient is {@code dy} itself.
     *
     * @param seed         the forward's seed
     * @param streamOffset the forward's stream offset
     * @param dy           the gradient of the output
     * @param dyOffset     where it starts in {@code dy}
     * @param dx           the gradient of {@code x}, written; may be {@code dy} (same offset)
     * @param dxOffset     where it starts in {@code dx}
     * @param length       the number of elements ({@code >= 0})
     */
    public void residualBackward(long seed, long streamOffset, double[] dy, int dyOffset, double[] dx, int dxOffset,
                                 int length) {
        doubles.residualBackward(seed, streamOffset, dy, dyOffset, dx, dxOffset, length);
    }

    @Override
    public String toString() {
        return "FusedDropout[" + dropout + ", " + activation + ", " + implementation() + "]";
    }
}
