package dev.vecdrop.kernel;

/**
 * The activation codes the fused kernels switch on ({@code act} in {@code biasActForward}/{@code biasActBackward}):
 * an {@code int}, not an enum, so the kernels' loops compare a constant and C2 hoists the test out of the loop.
 * {@code dev.vecdrop.Activation} is the public type that carries one.
 *
 * <p>Thread-safety: constants only. Allocation: none.
 */
public final class ActivationKind {

    /** {@code act(pre) = pre}. */
    public static final int IDENTITY = 0;
    /** {@code act(pre) = pre <= 0 ? +0.0 : pre}. */
    public static final int RELU = 1;
    /** {@code act(pre) = pre < 0 ? pre * alpha : pre}. */
    public static final int LEAKY_RELU = 2;

    private ActivationKind() {}
}
