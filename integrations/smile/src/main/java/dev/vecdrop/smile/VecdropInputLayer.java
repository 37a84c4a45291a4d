package dev.vecdrop.smile;

import java.io.Serial;
import smile.model.mlp.InputLayer;

/**
 * Smile's input layer with vecdrop's dropout on the inputs: {@link InputLayer}'s copy of the input, then inverted
 * dropout ({@code x = keep ? x / (1 - p) : 0}) with keep decisions from vecdrop's mask stream. Made by
 * {@link VecdropLayer#input(int, double)}. The stream, its windows and serialization are those of
 * {@link VecdropHiddenLayer}.
 *
 * <p>Thread-safety: as Smile's layers; any number of threads each running its own forwards. Allocation: none per
 * dropout call after a thread's first.
 */
public final class VecdropInputLayer extends InputLayer {

    @Serial
    private static final long serialVersionUID = 1L;

    private final LayerDropout masks;

    /**
     * @param n       the number of inputs
     * @param dropout the drop probability, {@code 0 <= dropout < 1} (Smile checks it)
     * @param seed    the seed of the layer's mask stream
     */
    public VecdropInputLayer(int n, double dropout, long seed) {
        super(n, dropout);
        this.masks = new LayerDropout(n, dropout, seed);
    }

    /** {@return the seed of this layer's mask stream} */
    public long seed() {
        return masks.seed();
    }

    /** {@return how many training forwards this layer has made, over all threads} */
    public long forwardCalls() {
        return masks.forwardCalls();
    }

    /** Inverted dropout in place over this thread's copy of the input; nothing when p = 0. */
    @Override
    public void propagateDropout() {
        if (dropout > 0) {
            masks.forward(output());
        }
    }

    /**
     * The backward of this thread's last {@link #propagateDropout} over this thread's gradient (Smile's perceptron
     * never asks for an input layer's, which has no weights; here for a caller that does).
     *
     * @throws IllegalStateException if this thread has run no forward on this layer
     */
    @Override
    public void backpopagateDropout() { // sic: Smile's name
        if (dropout > 0) {
            masks.backward(gradient());
        }
    }

    @Override
    public String toString() {
        return "vecdrop " + super.toString() + ", seed " + seed();
    }
}
