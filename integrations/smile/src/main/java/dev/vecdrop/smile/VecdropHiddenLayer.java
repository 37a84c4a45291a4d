package dev.vecdrop.smile;

import java.io.Serial;
import smile.model.mlp.ActivationFunction;
import smile.model.mlp.HiddenLayer;

/**
 * Smile's hidden layer with vecdrop's dropout: the same weights, activation and training as
 * {@link HiddenLayer}, and the same inverted dropout after the activation
 * ({@code y = keep ? y * (float) (1 / (1 - p)) : +0.0}), its keep decisions drawn from vecdrop's mask stream instead
 * of one {@code MathEx.random()} per unit. Made by the builders of {@link VecdropLayer}.
 *
 * <p>Forward call {@code k} of the layer (over all threads) takes elements {@code [k n, (k + 1) n)} of the stream
 * {@code seed}; the backward regenerates the mask of its thread's last forward, so nothing is stored between them.
 * Java serialization keeps the seed and the count of calls: a restored layer draws the masks its original would
 * have drawn next.
 *
 * <p>Thread-safety: as Smile's layers (per-thread outputs and gradients); any number of threads each running forward
 * then backward. Allocation: none per dropout call after a thread's first.
 */
public final class VecdropHiddenLayer extends HiddenLayer {

    @Serial
    private static final long serialVersionUID = 1L;

    private final LayerDropout masks;

    /**
     * @param n          the number of neurons
     * @param p          the number of inputs
     * @param dropout    the drop probability, {@code 0 <= dropout < 1} (checked; NaN too, which Smile lets through)
     * @param activation the activation function
     * @param seed       the seed of the layer's mask stream
     */
    public VecdropHiddenLayer(int n, int p, double dropout, ActivationFunction activation, long seed) {
        super(n, p, dropout, activation);
        this.masks = new LayerDropout(n, dropout, seed);
    }

    /** {@return the seed of this layer's mask stream} */
    public long seed() {
        return masks.seed();
    }

    /** {@return how many training forwards this layer has made, over all threads: the next takes this times n} */
    public long forwardCalls() {
        return masks.forwardCalls();
    }

    /** Inverted dropout in place over this thread's output, with the layer's next mask; nothing when p = 0. */
    @Override
    public void propagateDropout() {
        masks.forward(output());
    }

    /**
     * The backward of this thread's last {@link #propagateDropout}, in place over this thread's output gradient:
     * {@code keep ? g * (float) (1 / (1 - p)) : +0.0}, the mask regenerated; nothing when p = 0.
     *
     * @throws IllegalStateException if this thread has run no forward on this layer
     */
    @Override
    public void backpopagateDropout() { // sic: Smile's name
        masks.backward(gradient());
    }

    /** Smile's {@code close}, and this thread's record of its last forward. */
    @Override
    public void close() {
        super.close();
        masks.close();
    }

    @Override
    public String toString() {
        return "vecdrop " + super.toString() + ", seed " + seed();
    }
}
