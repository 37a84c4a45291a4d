package dev.vecdrop;

/**
 * Drop-connect (Wan et al., "Regularization of neural networks using DropConnect", ICML 2013; DL4J
 * {@code DropConnect}): inverted dropout applied to a weight matrix for one training step. A dense layer uses the
 * masked copy {@code W' = W * m / (1 - p)} in its forward and in the backward product that carries the gradient
 * down, and its weight gradient is the gradient with respect to {@code W'} masked the same way,
 * {@code dW = dW' * m / (1 - p)}, with {@code m} regenerated: nothing is stored. At inference the layer uses
 * {@code W} itself (the inverted scaling keeps the expected weight equal to {@code W}; Wan et al.'s Gaussian
 * moment-matching inference is not implemented).
 *
 * <p>The two-line change for a dense layer:
 * <pre>{@code
 * float[] w = dropConnect.weights(seed, step, weights, masked);  // forward and the delta below use w
 * dropConnect.maskGradient(seed, step, weightGradient);          // after dW' = a delta^T, before the update
 * }</pre>
 *
 * <p>The mask is the {@link Dropout} contract's: element {@code e} of the weight array (any layout: the mask does
 * not care which index is the row) is element {@code streamOffset(step) + e} of the mask stream of {@code seed}, with
 * {@code streamOffset(step) = step * 2^}{@value #STEP_SHIFT}. Step {@code s} thus owns the stream elements
 * {@code [s * 2^24, (s + 1) * 2^24)}: a weight array of at most {@link #MAX_WEIGHTS} {@code = 2^24} elements
 * (16,777,216: a 4096 x 4096 matrix) reads only its own step's block, so two steps never share a stream element and
 * their masks are independent. Steps run from 0 to {@link #MAX_STEP} {@code = 2^38 - 1}, which keeps every element
 * of every block below {@code 2^62}, inside the stream's offsets. Larger arrays and later steps are rejected. Give
 * the drop-connect of each layer a seed of its own ({@link Seeds#derive}): the same seed would give two layers of
 * one step the same mask prefix, and reuse an activation dropout's keep decisions.
 *
 * <p>The masked weights and the masked gradient are exactly {@code dropout().forward(seed, streamOffset(step), ...)}
 * and {@code dropout().backward(seed, streamOffset(step), ...)} over the whole array, so they inherit that contract:
 * bit-identical on every ISA and vector width, a dropped element is {@code +0.0}, float32 and float64 share the keep
 * decisions.
 *
 * <p>Every method checks all its arguments first and throws before writing anything: {@link NullPointerException}
 * for a null array; {@link IllegalArgumentException} for arrays of different lengths, {@code masked} being
 * {@code weights} (the update needs the weights unmasked), an array of more than {@link #MAX_WEIGHTS} elements, or a
 * step outside {@code [0, MAX_STEP]}.
 *
 * <p>Thread-safety: immutable; one instance may be used by any number of threads on disjoint outputs.
 * Allocation: none, once the JIT has compiled the kernels.
 */
public final class DropConnect {

    /** {@code k}: step {@code s} starts at stream element {@code s << k}. */
    public static final int STEP_SHIFT = 24;
    /** The most elements a weight array may have: {@code 2^k}, the stream elements one step owns. */
    public static final int MAX_WEIGHTS = 1 << STEP_SHIFT;
    /** The last step: {@code 2^(62 - k) - 1}, so that a step's last block ends below {@code 2^62}. */
    public static final long MAX_STEP = (1L << (62 - STEP_SHIFT)) - 1;

    private final Dropout dropout;

    private DropConnect(Dropout dropout) {
        this.dropout = dropout;
    }

    /**
     * Drop-connect with drop probability {@code p}, on {@link Dropout#inverted(double)}.
     *
     * @param p the drop probability of each weight, in {@code [0, 1]}
     * @return the drop-connect
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1]}
     */
    public static DropConnect of(double p) {
        return new DropConnect(Dropout.inverted(p));
    }

    /**
     * Drop-connect on a given dropout, e.g. {@code Dropout.inverted(p).scalarReference()}.
     *
     * @param dropout an inverted, element-wise dropout
     * @return the drop-connect
     * @throws NullPointerException     if {@code dropout} is null
     * @throws IllegalArgumentException if {@code dropout} is not {@link Scaling#INVERTED} or not element-wise
     */
    public static DropConnect of(Dropout dropout) {
        java.util.Objects.requireNonNull(dropout, "dropout");
        if (dropout.scaling() != Scaling.INVERTED) {
            throw new IllegalArgumentException("drop-connect needs inverted dropout (eval uses the weights as they"
                    + " are), got " + dropout.scaling());
        }
        return new DropConnect(dropout.requireElementwise("drop-connect"));
    }

    /** {@return the dropout that masks the weights and their gradient} */
    public Dropout dropout() {
        return dropout;
    }

    /** {@return the drop probability of each weight} */
    public double p() {
        return dropout.p();
    }

    /**
     * The stream element of weight 0 at {@code step}: {@code step << }{@value #STEP_SHIFT}.
     *
     * @param step the training step, in {@code [0, MAX_STEP]}
     * @return the stream offset
     * @throws IllegalArgumentException if {@code step} is outside {@code [0, MAX_STEP]}
     */
    public static long streamOffset(long step) {
        if (step < 0 || step > MAX_STEP) {
            throw new IllegalArgumentException("drop-connect step must be in [0, " + MAX_STEP + "], got " + step);
        }
        return step << STEP_SHIFT;
    }

    /**
     * The masked weights of one step: {@code masked[e] = keep(seed, streamOffset(step) + e) ? weights[e] * s : +0.0f}
     * with {@code s = (float) (1 / (1 - p))}.
     *
     * @param seed    the layer's drop-connect seed
     * @param step    the training step, in {@code [0, MAX_STEP]}
     * @param weights the weights, not changed
     * @param masked  the masked weights, written: the same length as {@code weights}, another array
     * @return {@code masked}
     */
    public float[] weights(long seed, long step, float[] weights, float[] masked) {
        Checks.region("weights", weights, 0, 0);
        Checks.region("masked", masked, 0, 0);
        long streamOffset = check(step, weights, masked, weights.length, masked.length, "masked");
        dropout.forward(seed, streamOffset, weights, 0, masked, 0, weights.length);
        return masked;
    }

    /**
     * Masks the gradient with respect to the masked weights into the gradient with respect to the weights, in place:
     * {@code dW[e] = keep(seed, streamOffset(step) + e) ? dW[e] * s : +0.0f}, the mask of
     * {@link #weights(long, long, float[], float[])} for the same {@code (seed, step)}, regenerated.
     *
     * @param seed           the seed the step's {@code weights} call used
     * @param step           the step the {@code weights} call used
     * @param weightGradient {@code dL/dW'} on entry, {@code dL/dW} on return
     */
    public void maskGradient(long seed, long step, float[] weightGradient) {
        Checks.region("weightGradient", weightGradient, 0, 0);
        long streamOffset = check(step, weightGradient, null, weightGradient.length, weightGradient.length, null);
        dropout.backward(seed, streamOffset, weightGradient, 0, weightGradient, 0, weightGradient.length);
    }

    /**
     * The masked weights of one step over float64: {@code masked[e] = keep ? weights[e] * (1 / (1 - p)) : +0.0}, the
     * keep decisions of the float32 form.
     *
     * @param seed    the layer's drop-connect seed
     * @param step    the training step, in {@code [0, MAX_STEP]}
     * @param weights the weights, not changed
     * @param masked  the masked weights, written: the same length as {@code weights}, another array
     * @return {@code masked}
     */
    public double[] weights(long seed, long step, double[] weights, double[] masked) {
        Checks.region("weights", weights, 0, 0);
        Checks.region("masked", masked, 0, 0);
        long streamOffset = check(step, weights, masked, weights.length, masked.length, "masked");
        dropout.forward(seed, streamOffset, weights, 0, masked, 0, weights.length);
        return masked;
    }

    /**
     * Masks a float64 weight gradient in place, as {@link #maskGradient(long, long, float[])} does.
     *
     * @param seed           the seed the step's {@code weights} call used
     * @param step           the step the {@code weights} call used
     * @param weightGradient {@code dL/dW'} on entry, {@code dL/dW} on return
     */
    public void maskGradient(long seed, long step, double[] weightGradient) {
        Checks.region("weightGradient", weightGradient, 0, 0);
        long streamOffset = check(step, weightGradient, null, weightGradient.length, weightGradient.length, null);
        dropout.backward(seed, streamOffset, weightGradient, 0, weightGradient, 0, weightGradient.length);
    }

    /** The checks after the null checks: lengths, aliasing, size, step; returns the step's stream offset. */
    private static long check(long step, Object weights, Object masked, int length, int maskedLength,
                              String maskedName) {
        if (maskedName != null) {
            if (maskedLength != length) {
                throw new IllegalArgumentException(maskedName + " has length " + maskedLength + ", weights "
                        + length + ": they must match");
            }
            if (masked == weights) {
                throw new IllegalArgumentException(maskedName + " must not be the weights array: the update needs"
                        + " the weights unmasked");
            }
        }
        if (length > MAX_WEIGHTS) {
            throw new IllegalArgumentException("drop-connect takes at most 2^" + STEP_SHIFT + " = " + MAX_WEIGHTS
                    + " weights (a step owns that many stream elements), got " + length);
        }
        return streamOffset(step);
    }

    @Override
    public String toString() {
        return "DropConnect[p=" + dropout.p() + "]";
    }
}
