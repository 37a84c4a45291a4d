package dev.vecdrop.dl4j;

import dev.vecdrop.Dropout;
import java.io.Serial;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Inverted dropout for Deeplearning4j layers, computed by vecdrop: a drop-in for DL4J's
 * {@link org.deeplearning4j.nn.conf.dropout.Dropout}, as in {@code .dropOut(new VecdropDropout(0.5))}.
 *
 * <p><b>The constructor takes the probability of RETAINING an activation, as DL4J's {@code Dropout(double)} does,
 * not the probability of dropping it</b> (Keras, PyTorch and vecdrop's own {@link Dropout#inverted(double)} take the
 * drop probability). {@code new VecdropDropout(0.8)} keeps 80% of the activations; for the drop probability use
 * {@link #withDropProbability(double)}: {@code VecdropDropout.withDropProbability(0.2)} keeps the same activations
 * (though not {@code equals}: {@code 1 - 0.8} is {@code 0.19999999999999996}, stored as it is).
 * In training a kept activation is {@code x / retain}, a dropped one {@code +0.0}, and {@link #backprop} gives
 * {@code keep ? gradAtOutput / retain : +0.0}; DL4J applies no dropout at inference.
 *
 * <p><b>Masks.</b> The keep decision of element {@code i} (in c order, whatever the array's layout) of the
 * activations passed at DL4J's {@code (iteration, epoch)} is vecdrop's mask-stream decision
 * {@code keep(s, e, p)} (docs/mask-stream.md) with
 * <pre>
 *   s = Seeds.derive(seed, epoch)      e = ((long) iteration &lt;&lt; 32) + i
 * </pre>
 * so each call has a window of {@code 2^32} stream elements of its own; arrays of up to {@code 2^32} elements are
 * accepted, and since {@code iteration < 2^31} the offset never reaches {@code 2^63}. The mask depends on nothing
 * else (not the thread count, CPU or vector width), which makes training reproducible bit for bit where the rest of
 * the network is. {@link #backprop} regenerates the mask from the same {@code (iteration, epoch)}: nothing is stored
 * between the calls, and {@link #clear()} has nothing to release. The seed is part of the configuration (JSON and
 * Java serialization), so a saved model resumes with the same masks; the default is {@link #DEFAULT_SEED}.
 * Layers with the same seed draw the same decisions for the same element positions at the same iteration: give
 * each layer its own seed ({@link #withSeed(long)}, for example {@code Seeds.derive(master, layerIndex)}) when that
 * matters.
 *
 * <p><b>Memory.</b> FLOAT and DOUBLE arrays whose elements lie contiguously in c order (views such as a range of
 * rows included) are read and written in place through a {@link java.lang.foreign.MemorySegment} over ND4J's
 * off-heap buffer: no copy. Other arrays (f order, strided views, FLOAT16 or BFLOAT16) go through one
 * detached c-order copy that is freed before the call returns (logged once per JVM); nothing outlives a call, so
 * workspaces are unaffected. {@code output} may be {@code input} (in place, as DL4J calls {@link #backprop}).
 *
 * <p>Thread-safety: immutable; one instance may serve any number of layers and threads. Allocation: no copy of the
 * data on the contiguous path, a few small objects per call (the segment views, DL4J's operation): 272-312 bytes measured by
 * LayerAllocationTest.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class VecdropDropout extends SeededDropout {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The seed of {@link #VecdropDropout(double)} and {@link #withDropProbability(double)}: {@value}. */
    public static final long DEFAULT_SEED = 0x5eed_d14_7L;

    /** The drop probability, in {@code [0, 1)}: what vecdrop computes with, kept exactly as given. */
    @JsonProperty("dropProbability")
    private final double dropProbability;

    @JsonProperty("seed")
    private final long seed;

    /** Rebuilt from the two fields above (see {@link #readResolve()}); not part of the configuration. */
    private final transient Dropout dropout;

    /**
     * Inverted dropout that <b>retains</b> each activation with probability {@code retainProbability} (DL4J's
     * convention), with the {@linkplain #DEFAULT_SEED default seed}.
     *
     * @param retainProbability the probability of KEEPING an activation, in {@code (0, 1]}; {@code 1} is no dropout
     * @throws IllegalArgumentException if {@code retainProbability} is NaN or outside {@code (0, 1]}
     */
    public VecdropDropout(double retainProbability) {
        this(dropFromRetain(retainProbability), DEFAULT_SEED);
    }

    private VecdropDropout(double dropProbability, long seed) {
        this.dropProbability = checkDrop(dropProbability);
        this.seed = seed;
        this.dropout = Dropout.inverted(dropProbability);
    }

    /**
     * Inverted dropout that <b>drops</b> each activation with probability {@code p} (the Keras/PyTorch convention),
     * with the {@linkplain #DEFAULT_SEED default seed}.
     *
     * @param p the probability of DROPPING an activation, in {@code [0, 1)}
     * @return the dropout
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1)}
     */
    public static VecdropDropout withDropProbability(double p) {
        return new VecdropDropout(p, DEFAULT_SEED);
    }

    /** Jackson's way in: the fields as written by DL4J's configuration JSON. */
    @JsonCreator
    static VecdropDropout fromJson(@JsonProperty("dropProbability") double dropProbability,
                                   @JsonProperty("seed") long seed) {
        return new VecdropDropout(dropProbability, seed);
    }

    /**
     * @param newSeed the seed of the mask stream
     * @return this dropout with that seed
     */
    public VecdropDropout withSeed(long newSeed) {
        return new VecdropDropout(dropProbability, newSeed);
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

    /**
     * The mask-stream seed of the calls at {@code epoch}: {@code Seeds.derive(seed(), epoch)}.
     *
     * @param epoch DL4J's epoch count ({@code >= 0})
     * @return the seed the keep decisions of that epoch are drawn with
     */
    public long streamSeed(int epoch) {
        return streamSeed(seed, epoch);
    }

    /**
     * The stream element of element 0 of the call at {@code iteration}: {@code iteration * 2^32}.
     *
     * @param iteration DL4J's iteration count ({@code >= 0})
     * @return the stream offset
     */
    public static long streamOffset(int iteration) {
        return windowStart(iteration);
    }

    @Override
    void run(INDArray in, INDArray out, int iteration, int epoch, boolean backward) {
        runDropout(dropout, in, out, iteration, epoch, backward);
    }

    /** {@return an equal dropout (same probability and seed)} */
    @Override
    public VecdropDropout clone() {
        return new VecdropDropout(dropProbability, seed);
    }

    @Override
    double parameter() {
        return dropProbability;
    }

    @Override
    int hashSalt() {
        return 0;
    }
}
