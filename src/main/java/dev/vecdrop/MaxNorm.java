package dev.vecdrop;

import dev.vecdrop.kernel.KernelSelector;

/**
 * The max-norm constraint that dropout nets train with (Srivastava et al. 2014, section 5.1): each hidden unit's
 * incoming weight vector is projected back onto the ball of radius {@code c} whenever an update takes it outside.
 *
 * <p>A unit's norm is summed in {@code double}, element by element in order, so it is the same on every CPU;
 * a unit over the bound is multiplied by {@code (float) (c / norm)}, element by element, with the kernels this JVM
 * picked (bit-identical at every width), unless that factor rounds to exactly 1: then the multiply would change
 * nothing, and the unit is left as it is and not counted. A unit within the bound is not touched. The factor and
 * each product are rounded to float, so a projected unit's norm is {@code c} only to within a few float roundings:
 * in about half of random units it stays above {@code c}, by up to about {@code 1e-7} relative (2.4e-8 for
 * {@code [3, 2]} at {@code c = 1}); a second call scales and counts again only those whose factor is still below
 * 1 (about a third of them in random units), and leaves the others, as {@code [3, 2]}, above {@code c} for good.
 * Non-finite weights give non-finite results (an infinite one makes the factor 0 and the unit {@code [NaN, 0, ...]}).
 *
 * <p>Thread-safety: stateless; concurrent calls on disjoint regions are safe. Allocation: none.
 */
public final class MaxNorm {

    private MaxNorm() {}

    /**
     * Projects {@code units} consecutive vectors of {@code fanIn} floats, starting at {@code w[offset]}, onto the
     * L2 ball of radius {@code c}.
     *
     * @param w      the weights, changed in place
     * @param offset where the first unit starts in {@code w}
     * @param units  the number of units (vectors)
     * @param fanIn  the length of each unit
     * @param c      the bound on each unit's L2 norm
     * @return how many units were scaled down
     * @throws IllegalArgumentException  if {@code c} is not positive and finite, or a count is negative
     * @throws IndexOutOfBoundsException if the region does not fit in {@code w}
     * @throws NullPointerException      if {@code w} is null
     */
    public static int project(float[] w, int offset, int units, int fanIn, float c) {
        if (!(c > 0 && c < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("max-norm bound must be positive and finite, got " + c);
        }
        if (units < 0 || fanIn < 0) {
            throw new IllegalArgumentException("units and fanIn must be >= 0, got " + units + " and " + fanIn);
        }
        long length = (long) units * fanIn;
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(units + " units of " + fanIn + " weights exceed an array");
        }
        Checks.region("w", w, offset, (int) length);
        int projected = 0;
        for (int u = 0; u < units; u++) {
            int start = offset + u * fanIn;
            double sumOfSquares = 0;
            for (int i = start; i < start + fanIn; i++) {
                sumOfSquares += (double) w[i] * w[i];
            }
            double norm = Math.sqrt(sumOfSquares);
            float factor = (float) (c / norm); // NaN for a NaN weight: not below 1, not touched
            if (factor < 1f) { // norm > c, and the factor did not round up to 1 (a multiply that changes nothing)
                KernelSelector.kernels().floatArrays().scale(factor, w, start, w, start, fanIn);
                projected++;
            }
        }
        return projected;
    }
}
