package dev.vecdrop;

import static dev.vecdrop.kernel.ActivationKind.IDENTITY;
import static dev.vecdrop.kernel.ActivationKind.LEAKY_RELU;
import static dev.vecdrop.kernel.ActivationKind.RELU;

/**
 * The element-wise activation of a {@link FusedDropout}: identity, ReLU or leaky ReLU, each made of exactly rounded
 * float operations only, so every kernel computes the same bits.
 *
 * <pre>
 * identity(pre)  = pre
 * relu(pre)      = pre &lt;= 0 ? +0.0f : pre          (Math.max(pre, 0f): -0.0 gives +0.0, NaN stays NaN)
 * leaky(pre)     = pre &lt; 0 ? pre * alpha : pre      (-0.0 stays -0.0, NaN stays NaN)
 * </pre>
 *
 * <p>Thread-safety: immutable. Allocation: none after construction.
 */
public final class Activation {

    private static final Activation IDENTITY_INSTANCE = new Activation(IDENTITY, 0f);
    private static final Activation RELU_INSTANCE = new Activation(RELU, 0f);

    private final int kind;
    private final float alpha;

    private Activation(int kind, float alpha) {
        this.kind = kind;
        this.alpha = alpha;
    }

    /** {@return the identity: the fused kernel is then bias add and dropout} */
    public static Activation identity() {
        return IDENTITY_INSTANCE;
    }

    /** {@return ReLU, {@code pre <= 0 ? +0.0f : pre}} */
    public static Activation relu() {
        return RELU_INSTANCE;
    }

    /**
     * Leaky ReLU, {@code pre < 0 ? pre * alpha : pre}.
     *
     * @param alpha the negative slope: finite and {@code >= +0.0} (PyTorch's {@code negative_slope}, Keras'
     *              {@code alpha}); the backward reads the derivative from the sign of the forward's output, which
     *              needs a slope without a sign bit (see {@link FusedDropout})
     * @return the activation
     * @throws IllegalArgumentException if {@code alpha} is NaN, infinite, negative or {@code -0.0}
     */
    public static Activation leakyRelu(float alpha) {
        // -0.0 too: it passes alpha >= 0f, but would turn a negative pre into +0.0 and flip y's sign like any
        // negative slope.
        if (!(alpha >= 0f && alpha < Float.POSITIVE_INFINITY) || Float.floatToRawIntBits(alpha) < 0) { // also NaN
            throw new IllegalArgumentException("leaky ReLU alpha must be finite and >= +0.0, got " + alpha);
        }
        return new Activation(LEAKY_RELU, alpha);
    }

    int kind() {
        return kind;
    }

    /** {@return the negative slope (0 for identity and ReLU, where it is unused)} */
    public float alpha() {
        return alpha;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case IDENTITY -> "identity";
            case RELU -> "relu";
            default -> "leakyRelu(" + alpha + ")";
        };
    }
}
