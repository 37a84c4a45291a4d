package dev.vecdrop.smile;

import java.util.OptionalLong;
import smile.math.MathEx;
import smile.model.mlp.LayerBuilder;

/**
 * Builds a {@link VecdropInputLayer}: what Smile's {@code Layer.input(n, p)} returns, for vecdrop's layer. Seeds as
 * in {@link VecdropHiddenLayerBuilder}.
 *
 * <p>Thread-safety: immutable. Allocation: only what {@link #build} and {@link #seed} return.
 */
public final class VecdropInputLayerBuilder extends LayerBuilder {

    private final OptionalLong seed;

    VecdropInputLayerBuilder(int neurons, double dropout, OptionalLong seed) {
        super(VecdropLayer.checkNeurons(neurons), VecdropLayer.checkDropout(dropout));
        this.seed = seed;
    }

    /** {@return this builder with a fixed seed: every layer it builds draws the same masks} */
    public VecdropInputLayerBuilder seed(long seed) {
        return new VecdropInputLayerBuilder(neurons, dropout, OptionalLong.of(seed));
    }

    /** {@return an input layer of {@code neurons()} inputs; {@code p} is ignored, as in Smile's} */
    @Override
    public VecdropInputLayer build(int p) {
        return new VecdropInputLayer(neurons, dropout, seed.orElseGet(MathEx::randomLong));
    }

    @Override
    public String toString() {
        return String.format("vecdrop Input(%d, %.2f)", neurons, dropout);
    }
}
