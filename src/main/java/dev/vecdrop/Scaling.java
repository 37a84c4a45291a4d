package dev.vecdrop;

/**
 * Where the {@code 1 / (1 - p)} correction of dropout goes.
 *
 * <p>Thread-safety: immutable.
 */
public enum Scaling {
    /** Train {@code y = x * m / (1 - p)}, eval {@code y = x}: the form PyTorch and most frameworks use. */
    INVERTED,
    /** Train {@code y = x * m}, eval {@code y = x * (1 - p)}: the form of the original dropout paper. */
    CLASSIC
}
