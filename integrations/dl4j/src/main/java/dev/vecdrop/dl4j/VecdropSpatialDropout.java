package dev.vecdrop.dl4j;

import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import java.io.Serial;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Spatial dropout for Deeplearning4j layers, computed by vecdrop: a drop-in for DL4J's
 * {@link org.deeplearning4j.nn.conf.dropout.SpatialDropout}. One keep decision per {@code (example, channel)},
 * applied to every position of that channel, for activations in DL4J's channels-first layouts: {@code [N, C, W]}
 * (NCW, 1D convolutions and recurrent layers), {@code [N, C, H, W]} (NCHW) and {@code [N, C, D, H, W]} (NCDHW).
 * Channels-last activations (NHWC, NWC) are not supported here.
 *
 * <p><b>Like DL4J's SpatialDropout, the constructor takes the probability of RETAINING a channel, not of dropping
 * it</b>; {@link #withDropProbability(double)} takes the drop probability.
 *
 * <p><b>Masks.</b> The decision of {@code (n, c)} at DL4J's {@code (iteration, epoch)} is the mask stream's
 * {@code keep(s, e, p)} with {@code s = Seeds.derive(seed, epoch)} and
 * {@code e = ((long) iteration << 32) + n * C + c}: the stream seed and offset of {@link VecdropDropout}, consuming
 * {@code N * C} stream elements. Backprop
 * regenerates the decisions; nothing is stored. Memory and copies as in {@link VecdropDropout}.
 *
 * <p>Thread-safety: immutable. Allocation: no copy of the data on the contiguous path, a few small objects per
 * call (as {@link VecdropDropout}), and a vecdrop {@code Dropout} with its {@code ChannelLayout} per call whose
 * {@code (C, positions)} differs from the last one seen (a cache of one; runs under 32 positions take a 16.5 KiB
 * table).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class VecdropSpatialDropout extends SeededDropout {

    @Serial
    private static final long serialVersionUID = 1L;

    @JsonProperty("dropProbability")
    private final double dropProbability;

    @JsonProperty("seed")
    private final long seed;

    private final transient Dropout elementwise;

    /** The per-channel dropout of the last shape seen; immutable, so a racy read is harmless. */
    private transient volatile Dropout lastPerChannel;

    /**
     * Spatial dropout that <b>retains</b> each channel of each example with probability {@code retainProbability}
     * (DL4J's convention), with {@link VecdropDropout#DEFAULT_SEED}.
     *
     * @param retainProbability the probability of KEEPING a channel, in {@code (0, 1]}
     * @throws IllegalArgumentException if {@code retainProbability} is NaN or outside {@code (0, 1]}
     */
    public VecdropSpatialDropout(double retainProbability) {
        this(dropFromRetain(retainProbability), VecdropDropout.DEFAULT_SEED);
    }

    private VecdropSpatialDropout(double dropProbability, long seed) {
        this.dropProbability = checkDrop(dropProbability);
        this.seed = seed;
        this.elementwise = Dropout.inverted(dropProbability);
    }

    /**
     * @param p the probability of DROPPING a channel, in {@code [0, 1)}
     * @return the spatial dropout, with {@link VecdropDropout#DEFAULT_SEED}
     */
    public static VecdropSpatialDropout withDropProbability(double p) {
        return new VecdropSpatialDropout(p, VecdropDropout.DEFAULT_SEED);
    }

    @JsonCreator
    static VecdropSpatialDropout fromJson(@JsonProperty("dropProbability") double dropProbability,
                                          @JsonProperty("seed") long seed) {
        return new VecdropSpatialDropout(dropProbability, seed);
    }

    /**
     * @param newSeed the seed of the mask stream
     * @return this spatial dropout with that seed
     */
    public VecdropSpatialDropout withSeed(long newSeed) {
        return new VecdropSpatialDropout(dropProbability, newSeed);
    }

    /** {@return the probability of dropping a channel} */
    public double dropProbability() {
        return dropProbability;
    }

    /** {@return the probability of retaining a channel (DL4J's {@code p})} */
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
        runDropout(perChannel(out), in, out, iteration, epoch, backward); // the shape is checked before the counts
    }

    private Dropout perChannel(INDArray x) {
        long[] shape = x.shape();
        if (shape.length < 3 || shape.length > 5) {
            throw new IllegalArgumentException("spatial dropout needs [N, C, W], [N, C, H, W] or [N, C, D, H, W] "
                    + "activations, got shape " + Arrays.toString(shape));
        }
        long positions = 1;
        for (int d = 2; d < shape.length; d++) {
            positions *= shape[d];
        }
        if (shape[1] < 1 || positions < 1 || shape[1] > Integer.MAX_VALUE || positions > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("unsupported activation shape " + Arrays.toString(shape));
        }
        Dropout last = lastPerChannel;
        // Compared before a layout is made: a layout of runs under 32 builds a 16.5 KiB table, which a layout made
        // every call to compare with allocated every call (17,336 bytes a call for [8, 16, 4, 4], until stop 31).
        if (last == null || last.layout().channels() != shape[1] || last.layout().positions() != positions) {
            last = elementwise.perChannel(ChannelLayout.channelsFirst((int) shape[1], (int) positions));
            lastPerChannel = last;
        }
        return last;
    }

    /** {@return an equal spatial dropout} */
    @Override
    public VecdropSpatialDropout clone() {
        return new VecdropSpatialDropout(dropProbability, seed);
    }

    @Override
    double parameter() {
        return dropProbability;
    }

    @Override
    int hashSalt() {
        return 17;
    }
}
