package dev.vecdrop.smile;

import java.io.Serial;
import smile.model.mlp.InputLayer;

/**
 * Smile's input layer with vecdrop's dropout on the inputs: {@link InputLayer}'s copy of the input, then inverted
 * dropout ({@code x = keep ? x * (float) (1 / (1 - p)) : +0.0}) with keep decisions from vecdrop's mask stream. Made by
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
     * @param dropout the drop probability, {@code 0 <= dropout < 1} (checked; NaN too, which Smile lets through)
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
        masks.forward(output());
    }

    /**
     * Not supported: Smile's input layer has no gradient (its constructor makes none, so Smile's own method fails
     * here with a {@code NullPointerException}), and Smile's perceptron never asks for it.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void backpopagateDropout() { // sic: Smile's name
        throw new UnsupportedOperationException("an input layer has no gradient to drop: Smile's perceptron never "
                + "propagates one back to its inputs");
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
