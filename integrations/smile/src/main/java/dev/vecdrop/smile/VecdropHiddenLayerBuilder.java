package dev.vecdrop.smile;

import java.util.OptionalLong;
import smile.math.MathEx;
import smile.model.mlp.ActivationFunction;
import smile.model.mlp.HiddenLayerBuilder;

/**
 * Builds a {@link VecdropHiddenLayer}: what Smile's {@code Layer.rectifier(n, p)} and its siblings return, for
 * vecdrop's layer. Made by {@link VecdropLayer}'s factories.
 *
 * <p>The seed: by default each layer built draws one from {@link MathEx#randomLong()}, so that
 * {@code MathEx.setSeed(s)} before building a network makes its masks reproducible exactly as it does Smile's own
 * dropout; {@link #seed(long)} fixes it instead (then every layer this builder builds has the same masks).
 *
 * <p>Thread-safety: immutable. Allocation: only what {@link #build} and {@link #seed} return.
 */
public final class VecdropHiddenLayerBuilder extends HiddenLayerBuilder {

    private final ActivationFunction activation;
    private final OptionalLong seed;

    VecdropHiddenLayerBuilder(int neurons, double dropout, ActivationFunction activation, OptionalLong seed) {
        super(VecdropLayer.checkNeurons(neurons), VecdropLayer.checkDropout(dropout), activation);
        this.activation = activation;
        this.seed = seed;
    }

    /** {@return this builder with a fixed seed: every layer it builds draws the same masks} */
    public VecdropHiddenLayerBuilder seed(long seed) {
        return new VecdropHiddenLayerBuilder(neurons, dropout, activation, OptionalLong.of(seed));
    }

    /**
     * {@return a hidden layer of {@code neurons()} units over {@code p} inputs}: {@code p} is checked before a seed is
     * drawn, so a failed build leaves {@code MathEx}'s generator where it was
     */
    @Override
    public VecdropHiddenLayer build(int p) {
        if (p <= 0) {
            throw new IllegalArgumentException("a hidden layer needs at least one input, got " + p);
        }
        return new VecdropHiddenLayer(neurons, p, dropout, activation, seed.orElseGet(MathEx::randomLong));
    }

    @Override
    public String toString() {
        return "vecdrop " + super.toString();
    }
}
