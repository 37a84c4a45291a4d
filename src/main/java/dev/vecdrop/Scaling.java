package dev.vecdrop;

/**
 * Where the {@code 1 / (1 - p)} correction of dropout goes, or alpha dropout's affine correction.
 *
 * <p>Thread-safety: immutable. Allocation: none (constants).
 */
public enum Scaling {
    /** Train {@code y = x * m / (1 - p)}, eval {@code y = x}: the form PyTorch and most frameworks use. */
    INVERTED,
    /** Train {@code y = x * m}, eval {@code y = x * (1 - p)}: the form of the original dropout paper. */
    CLASSIC,
    /**
     * Alpha dropout (Klambauer et al. 2017, for SELU networks; PyTorch {@code AlphaDropout}): train
     * {@code y = keep ? (x * a) + b : c}, backward {@code dx = keep ? dy * a : +0.0}, eval {@code y = x}, which keeps
     * zero mean and unit variance; {@code p < 1}. See {@link Dropout#alpha(double)}.
     */
    ALPHA
}
