package dev.vecdrop.dl4j;

import dev.vecdrop.GaussianDropout;
import java.io.Serial;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Gaussian (multiplicative) dropout for Deeplearning4j layers, computed by vecdrop's {@link GaussianDropout}: a
 * drop-in for DL4J's {@link org.deeplearning4j.nn.conf.dropout.GaussianDropout}, as in
 * {@code .dropOut(new VecdropGaussianDropout(0.3))}.
 *
 * <p><b>The constructor takes DL4J's {@code rate}, which is a DROP probability</b> (as in Keras'
 * {@code GaussianDropout(rate)}; unlike DL4J's {@code Dropout} and {@code AlphaDropout}, whose parameter is the
 * retain probability): in training every activation is multiplied by {@code 1 + sigma * z}, {@code z} standard
 * normal, {@code sigma = sqrt(rate / (1 - rate))}, DL4J's formula, the noise of inverted dropout at drop probability
 * {@code rate}. It is vecdrop's {@code GaussianDropout.of(rate)}: float32 {@code y = x * fma(sigma, z, 1f)}, float64
 * with {@code sigma} and the arithmetic in double (docs/mask-stream.md, "Gaussian dropout and gaussian noise").
 * {@link #backprop} multiplies the gradient by the same factors, regenerated; DL4J applies nothing at inference.
 *
 * <p><b>Noise.</b> Element {@code i} (c order) of the call at DL4J's {@code (iteration, epoch)} uses the normal
 * stream's {@code z(s, e)} with {@code s = Seeds.derive(seed, epoch)} and {@code e = ((long) iteration << 32) + i},
 * as {@link VecdropDropout}'s masks do; nothing is stored between the forward and backprop. The default seed,
 * {@link #DEFAULT_SEED}, differs from the other layers' defaults: the normal stream of a seed is built from the words
 * the same seed's dropout decisions come from.
 *
 * <p><b>Memory.</b> As {@link VecdropDropout}: contiguous c-order FLOAT and DOUBLE arrays are read and written in
 * place in ND4J's off-heap buffers (the library's segment form of gaussian dropout), anything else goes through
 * one detached c-order copy.
 *
 * <p>Thread-safety: immutable; one instance may serve any number of layers and threads. Allocation: no copy of the
 * data on the contiguous path (a few small objects per call, and the library's per-thread 4 KiB block of normals on
 * a thread's first call).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class VecdropGaussianDropout extends SeededDropout {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The seed of {@link #VecdropGaussianDropout(double)}: {@value}. */
    public static final long DEFAULT_SEED = 0x5eed_9a55_d14L;

    /** DL4J's rate: the drop probability whose noise this is, in {@code [0, 1)}. */
    @JsonProperty("rate")
    private final double rate;

    @JsonProperty("seed")
    private final long seed;

    /** Rebuilt from the two fields above (see {@link #readResolve()}); not part of the configuration. */
    private final transient GaussianDropout gaussian;

    /**
     * Gaussian dropout with DL4J's {@code rate}, with the {@linkplain #DEFAULT_SEED default seed}.
     *
     * @param rate the DROP probability the noise stands for (DL4J's and Keras' {@code rate}), in {@code [0, 1)};
     *             {@code 0} is no noise
     * @throws IllegalArgumentException if {@code rate} is NaN or outside {@code [0, 1)}
     */
    public VecdropGaussianDropout(double rate) {
        this(rate, DEFAULT_SEED);
    }

    private VecdropGaussianDropout(double rate, long seed) {
        if (!(rate >= 0.0 && rate < 1.0)) {
            throw new IllegalArgumentException("rate (DL4J's GaussianDropout rate: a DROP probability, sigma = "
                    + "sqrt(rate / (1 - rate))) must be in [0, 1), got " + rate);
        }
        this.rate = rate;
        this.seed = seed;
        this.gaussian = GaussianDropout.of(rate);
    }

    /** Jackson's way in: the fields as written by DL4J's configuration JSON. */
    @JsonCreator
    static VecdropGaussianDropout fromJson(@JsonProperty("rate") double rate, @JsonProperty("seed") long seed) {
        return new VecdropGaussianDropout(rate, seed);
    }

    /**
     * @param newSeed the seed of the normal stream
     * @return this gaussian dropout with that seed
     */
    public VecdropGaussianDropout withSeed(long newSeed) {
        return new VecdropGaussianDropout(rate, newSeed);
    }

    /** {@return DL4J's rate: the drop probability whose noise this is} */
    public double rate() {
        return rate;
    }

    /** {@return the seed of the normal stream} */
    @Override
    public long seed() {
        return seed;
    }

    @Override
    void run(INDArray in, INDArray out, int iteration, int epoch, boolean backward) {
        long s = streamSeed(seed, epoch);
        long e = windowStart(iteration);
        NdArrays.apply((x, y, n, doubles) -> {
            if (doubles && backward) {
                gaussian.backwardDoubles(s, e, x, 0, y, 0, n);
            } else if (doubles) {
                gaussian.forwardDoubles(s, e, x, 0, y, 0, n);
            } else if (backward) {
                gaussian.backwardFloats(s, e, x, 0, y, 0, n);
            } else {
                gaussian.forwardFloats(s, e, x, 0, y, 0, n);
            }
        }, in, out);
    }

    /** {@return an equal gaussian dropout (same rate and seed)} */
    @Override
    public VecdropGaussianDropout clone() {
        return new VecdropGaussianDropout(rate, seed);
    }

    @Override
    double parameter() {
        return rate;
    }

    @Override
    int hashSalt() {
        return 29;
    }

    @Override
    String describeParameter() {
        return "rate=" + rate;
    }
}
