package dev.vecdrop;

/**
 * Alpha dropout's coefficients, PyTorch's definition, each computed in double in the fixed order below and then
 * rounded once to the element type by the caller (docs/mask-stream.md, "Alpha dropout"). In this order they are
 * bit for bit the doubles PyTorch's CPU path computes.
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
final class AlphaCoefficients {

    /** {@code alpha' = -lambda * alpha} of SELU. */
    static final double ALPHA_PRIME = -1.7580993408473766;
    private static final double ALPHA_PRIME_SQUARED = ALPHA_PRIME * ALPHA_PRIME;

    private AlphaCoefficients() {}

    /** {@return {@code a = 1 / sqrt((1 - p) * (1 + p * alpha'^2))}, the kept elements' factor} */
    static double a(double p) {
        return 1.0 / Math.sqrt((1.0 - p) * (1.0 + p * ALPHA_PRIME_SQUARED));
    }

    /** {@return {@code b = -a * alpha' * p} (left to right), added to kept elements} */
    static double b(double p) {
        return -a(p) * ALPHA_PRIME * p;
    }

    /** {@return {@code c = a * alpha' + b}, every dropped element's value} */
    static double c(double p) {
        return a(p) * ALPHA_PRIME + b(p);
    }
}
