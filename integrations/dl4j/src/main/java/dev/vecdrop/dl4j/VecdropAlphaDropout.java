package dev.vecdrop.dl4j;

import dev.vecdrop.Dropout;
import java.io.Serial;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Alpha dropout (for SELU networks) for Deeplearning4j layers, computed by vecdrop's {@link Dropout#alpha(double)}:
 * a drop-in for DL4J's {@link org.deeplearning4j.nn.conf.dropout.AlphaDropout}, as in
 * {@code .dropOut(new VecdropAlphaDropout(0.95))}.
 *
 * <p><b>The constructor takes the probability of RETAINING an activation, as DL4J's {@code AlphaDropout(double)}
 * does</b> (its parameter is {@code activationRetainProbability}), not the probability of dropping it, which Keras,
 * PyTorch and vecdrop's own {@link Dropout#alpha(double)} take. {@code new VecdropAlphaDropout(0.9)} keeps 90% of
 * the activations; {@link #withDropProbability(double) VecdropAlphaDropout.withDropProbability(0.1)} keeps the same
 * activations (though not {@code equals}, and its float64 values may differ in the last bit: {@code 1 - 0.9} is not
 * {@code 0.1}). With DL4J's default SELU constants ({@code alpha' = -lambda * alpha = -1.7580993408473766}), drop
 * probability {@code p}, {@code a = 1 / sqrt((1 - p) * (1 + p * alpha'^2))}, {@code b = -a * alpha' * p}: in
 * training a kept activation is {@code x * a + b}, a dropped one {@code a * alpha' + b} (DL4J's formulas written with
 * the drop probability; rounding as docs/mask-stream.md, "Alpha dropout", states); DL4J applies no dropout at
 * inference. {@link #backprop} gives {@code keep ? gradAtOutput * a : +0.0}.
 *
 * <p><b>Masks</b> are those of a {@link VecdropDropout} with the same drop probability and seed, drawn at the same
 * stream seed and offset: {@code s = Seeds.derive(seed, epoch)}, {@code e = ((long) iteration << 32) + i} for
 * element {@code i} in c order; backprop regenerates them, nothing is stored. The default seed,
 * {@link #DEFAULT_SEED}, is not {@link VecdropDropout}'s, so that the two, left at their defaults in one network, do
 * not drop the same positions. Memory and copies as in {@link VecdropDropout}: contiguous FLOAT and DOUBLE arrays are
 * read and written in place through ND4J's off-heap buffer, other layouts go through one detached copy.
 *
 * <p>Thread-safety: immutable; one instance may serve any number of layers and threads. Allocation: no copy of the
 * data on the contiguous path, a few small objects per call (the segment views, DL4J's operation): 272-312 bytes measured by
 * LayerAllocationTest.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class VecdropAlphaDropout extends SeededDropout {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The seed of {@link #VecdropAlphaDropout(double)} and {@link #withDropProbability(double)}: {@value}. */
    public static final long DEFAULT_SEED = 0x5eed_a1fa_d14L;

    /** The drop probability, in {@code [0, 1)}: what vecdrop computes with, kept exactly as given. */
    @JsonProperty("dropProbability")
    private final double dropProbability;

    @JsonProperty("seed")
    private final long seed;

    /** Rebuilt from the two fields above (see {@link #readResolve()}); not part of the configuration. */
    private final transient Dropout dropout;

    /**
     * Alpha dropout that <b>retains</b> each activation with probability {@code retainProbability} (DL4J's
     * convention), with the {@linkplain #DEFAULT_SEED default seed}.
     *
     * @param retainProbability the probability of KEEPING an activation, in {@code (0, 1]}; {@code 1} is no dropout
     * @throws IllegalArgumentException if {@code retainProbability} is NaN or outside {@code (0, 1]}
     */
    public VecdropAlphaDropout(double retainProbability) {
        this(dropFromRetain(retainProbability), DEFAULT_SEED);
    }

    private VecdropAlphaDropout(double dropProbability, long seed) {
        this.dropProbability = checkDrop(dropProbability);
        this.seed = seed;
        this.dropout = Dropout.alpha(dropProbability);
    }

    /**
     * Alpha dropout that <b>drops</b> each activation with probability {@code p} (the Keras/PyTorch convention),
     * with the {@linkplain #DEFAULT_SEED default seed}.
     *
     * @param p the probability of DROPPING an activation, in {@code [0, 1)}
     * @return the alpha dropout
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1)}
     */
    public static VecdropAlphaDropout withDropProbability(double p) {
        return new VecdropAlphaDropout(p, DEFAULT_SEED);
    }

    /** Jackson's way in: the fields as written by DL4J's configuration JSON. */
    @JsonCreator
    static VecdropAlphaDropout fromJson(@JsonProperty("dropProbability") double dropProbability,
                                        @JsonProperty("seed") long seed) {
        return new VecdropAlphaDropout(dropProbability, seed);
    }

    /**
     * @param newSeed the seed of the mask stream
     * @return this alpha dropout with that seed
     */
    public VecdropAlphaDropout withSeed(long newSeed) {
        return new VecdropAlphaDropout(dropProbability, newSeed);
    }

    /** {@return the probability of dropping an activation, as vecdrop uses it} */
    public double dropProbability() {
        return dropProbability;
    }

    /** {@return the probability of retaining an activation (DL4J's {@code p}): {@code 1 - dropProbability()}} */
    public double retainProbability() {
        return 1.0 - dropProbability;
    }

    /** {@return the seed of the mask stream} */
    @Override
    public long seed() {
        return seed;
    }

    @Override
    void run(INDArray in, INDArray out, int iteration, int epoch, boolean backward) {
        runDropout(dropout, in, out, iteration, epoch, backward);
    }

    /** {@return an equal alpha dropout (same probability and seed)} */
    @Override
    public VecdropAlphaDropout clone() {
        return new VecdropAlphaDropout(dropProbability, seed);
    }

    @Override
    double parameter() {
        return dropProbability;
    }

    @Override
    int hashSalt() {
        return 23;
    }
}
