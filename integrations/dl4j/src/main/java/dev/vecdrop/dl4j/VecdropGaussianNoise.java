package dev.vecdrop.dl4j;

import dev.vecdrop.GaussianNoise;
import java.io.Serial;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Additive gaussian noise for Deeplearning4j layers, computed by vecdrop's {@link GaussianNoise}: a drop-in for
 * DL4J's {@link org.deeplearning4j.nn.conf.dropout.GaussianNoise}, as in
 * {@code .dropOut(new VecdropGaussianNoise(0.1))}. The constructor takes the standard deviation of the noise, as
 * DL4J's does. In training {@code y = x + stddev * z}, {@code z} standard normal: vecdrop's
 * {@code GaussianNoise.of(stddev)}, float32 {@code y = fma(stddev, z, x)} with {@code stddev} rounded to float,
 * float64 in double (docs/mask-stream.md, "Gaussian dropout and gaussian noise"). {@link #backprop} is the identity,
 * with DL4J's counts checked as in the forward; DL4J applies nothing at inference.
 *
 * <p><b>Noise.</b> Element {@code i} (c order) of the call at DL4J's {@code (iteration, epoch)} uses the normal
 * stream's {@code z(s, e)} with {@code s = Seeds.derive(seed, epoch)} and {@code e = ((long) iteration << 32) + i},
 * as {@link VecdropDropout}'s masks do. The default seed, {@link #DEFAULT_SEED}, differs from the other layers'.
 *
 * <p><b>Memory.</b> As {@link VecdropDropout}: contiguous c-order FLOAT and DOUBLE activations are read and written
 * in place in ND4J's off-heap buffers (the library's segment form of gaussian noise), anything else goes through
 * one detached c-order copy. Backprop copies nothing: it is {@code gradAtInput.assign(gradAtOutput)}, or nothing in
 * place.
 *
 * <p>Thread-safety: immutable; one instance may serve any number of layers and threads. Allocation: no copy of the
 * data on the contiguous path (a few small objects per call, and the library's per-thread 4 KiB block of normals on
 * a thread's first call).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class VecdropGaussianNoise extends SeededDropout {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The seed of {@link #VecdropGaussianNoise(double)}: {@value}. */
    public static final long DEFAULT_SEED = 0x5eed_0015e_d14L;

    @JsonProperty("stddev")
    private final double stddev;

    @JsonProperty("seed")
    private final long seed;

    /** Rebuilt from the two fields above (see {@link #readResolve()}); not part of the configuration. */
    private final transient GaussianNoise noise;

    /**
     * Additive gaussian noise of standard deviation {@code stddev}, with the {@linkplain #DEFAULT_SEED default seed}.
     *
     * @param stddev the standard deviation of the noise, {@code >= 0}, finite when rounded to float; {@code 0} is no
     *               noise
     * @throws IllegalArgumentException if {@code stddev} is NaN, negative, or rounds to an infinite float
     */
    public VecdropGaussianNoise(double stddev) {
        this(stddev, DEFAULT_SEED);
    }

    private VecdropGaussianNoise(double stddev, long seed) {
        this.noise = GaussianNoise.of(stddev); // validates stddev
        this.stddev = stddev;
        this.seed = seed;
    }

    /** Jackson's way in: the fields as written by DL4J's configuration JSON. */
    @JsonCreator
    static VecdropGaussianNoise fromJson(@JsonProperty("stddev") double stddev, @JsonProperty("seed") long seed) {
        return new VecdropGaussianNoise(stddev, seed);
    }

    /**
     * @param newSeed the seed of the normal stream
     * @return this gaussian noise with that seed
     */
    public VecdropGaussianNoise withSeed(long newSeed) {
        return new VecdropGaussianNoise(stddev, newSeed);
    }

    /** {@return the standard deviation of the noise} */
    public double stddev() {
        return stddev;
    }

    /** {@return the seed of the normal stream} */
    @Override
    public long seed() {
        return seed;
    }

    /** {@inheritDoc} Not this one's: its backward is the identity, right in any layout. */
    @Override
    boolean backwardNeedsForwardLayout() {
        return false;
    }

    @Override
    void run(INDArray in, INDArray out, int iteration, int epoch, boolean backward) {
        if (backward) {
            identity(in, out, iteration, epoch);
            return;
        }
        long s = streamSeed(seed, epoch);
        long e = windowStart(iteration);
        NdArrays.apply((x, y, n, doubles) -> {
            if (doubles) {
                noise.forwardDoubles(s, e, x, 0, y, 0, n);
            } else {
                noise.forwardFloats(s, e, x, 0, y, 0, n);
            }
        }, in, out);
    }

    /** The backward: {@code gradAtInput = gradAtOutput}, copying nothing in place, after the forward's checks. */
    private static void identity(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        checkCounts(iteration, epoch);
        Objects.requireNonNull(gradAtOutput, "input");
        Objects.requireNonNull(gradAtInput, "output");
        if (!Arrays.equals(gradAtOutput.shape(), gradAtInput.shape())) {
            throw new IllegalArgumentException("input shape " + Arrays.toString(gradAtOutput.shape())
                    + " differs from output shape " + Arrays.toString(gradAtInput.shape()));
        }
        if (gradAtInput != gradAtOutput) {
            gradAtInput.assign(gradAtOutput);
        }
    }

    /** {@return an equal gaussian noise (same stddev and seed)} */
    @Override
    public VecdropGaussianNoise clone() {
        return new VecdropGaussianNoise(stddev, seed);
    }

    @Override
    double parameter() {
        return stddev;
    }

    @Override
    int hashSalt() {
        return 37;
    }

    @Override
    String describeParameter() {
        return "stddev=" + stddev;
    }
}
