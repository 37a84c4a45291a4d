package dev.vecdrop;

import java.util.Objects;

/**
 * Which elements share one keep decision: each element its own ({@link #elementwise()}), or every position of a
 * {@code (sample, channel)} pair, in the two layouts frameworks use. The decision for {@code (n, c)} is stream
 * element {@code streamOffset + n * C + c}, so a stored mask has {@code N * C} bits whatever the layout, and a call
 * over {@code N} samples consumes {@code N * C} stream elements.
 * <ul>
 *   <li>{@link #channelsFirst}: tensors {@code (N, C, S)} (PyTorch {@code Dropout1d/2d/3d}, DL4J
 *       {@code SpatialDropout}): the decision is constant over runs of {@code S} contiguous elements.</li>
 *   <li>{@link #channelsLast}: tensors {@code (N, S, C)} (Keras {@code SpatialDropout*} by default, and the same mask
 *       at every time step of a recurrent net, Keras {@code noise_shape=(N, 1, F)}): the decisions of one sample
 *       repeat every {@code C} elements.</li>
 * </ul>
 * {@code S} is the product of the spatial (or time) dimensions. A region must hold a whole number of samples
 * ({@code length % (C * S) == 0}).
 *
 * <p>Thread-safety: immutable. Allocation: none after construction; a layout of channels-first runs under 32
 * elements or channels-last samples under 128 makes a table of its first 4,224 elements' decisions (16.5 KiB) there,
 * which the per-channel gaussian layers lay their normals out by, and per-channel dropout its short runs' and small
 * samples' keep bits.
 */
public final class ChannelLayout {

    /** How decisions map to elements. Thread-safety: immutable. Allocation: none (constants). */
    public enum Kind {
        /** One decision per element. */
        ELEMENTWISE,
        /** {@code (N, C, S)}: one decision per run of {@code S} contiguous elements. */
        CHANNELS_FIRST,
        /** {@code (N, S, C)}: the {@code C} decisions of a sample repeat at each of its {@code S} positions. */
        CHANNELS_LAST
    }

    /**
     * The elements {@link #shortDecisions} covers: a block of either reader ({@link NormalBlocks}' normals,
     * {@link KeepBits}' keep bits), started anywhere in a period under {@code NormalBlocks.SHORT_SAMPLE}: 4,224.
     * Not a compile-time constant, so it comes before every static layout the class builds.
     */
    static final int SHORT_TABLE = Math.max(NormalBlocks.BLOCK, KeepBits.BLOCK) + NormalBlocks.SHORT_SAMPLE;

    private static final ChannelLayout ELEMENTWISE = new ChannelLayout(Kind.ELEMENTWISE, 1, 1);

    private final Kind kind;
    private final int channels;
    private final int positions;
    /** Short periods' decisions ({@link #shortDecisions}), made here so that no call makes them; null if not short. */
    private final int[] shortDecisions;

    private ChannelLayout(Kind kind, int channels, int positions) {
        this.kind = kind;
        this.channels = channels;
        this.positions = positions;
        this.shortDecisions = shortDecisions(kind, channels, positions);
    }

    /**
     * The decisions of a region's first {@link #SHORT_TABLE} elements, for the layouts whose periods are too short
     * for a loop per period: channels-first runs under {@code NormalBlocks.LONG_RUN} elements and channels-last
     * samples under {@code NormalBlocks.SHORT_SAMPLE}; null for the others. 16.5 KiB, made once per layout.
     */
    private static int[] shortDecisions(Kind kind, int channels, int positions) {
        boolean shortRuns = kind == Kind.CHANNELS_FIRST && positions < NormalBlocks.LONG_RUN;
        boolean smallSamples = kind == Kind.CHANNELS_LAST && (long) channels * positions < NormalBlocks.SHORT_SAMPLE;
        if (!shortRuns && !smallSamples) {
            return null;
        }
        int[] decisions = new int[SHORT_TABLE];
        for (int i = 0; i < decisions.length; i++) {
            decisions[i] = shortRuns ? i / positions : i / (channels * positions) * channels + i % channels;
        }
        return decisions;
    }

    /** {@return one keep decision per element: dropout as it is usually meant} */
    public static ChannelLayout elementwise() {
        return ELEMENTWISE;
    }

    /**
     * Tensors {@code (N, C, S)}: one decision per {@code (n, c)}, applied to its {@code S} contiguous elements.
     *
     * @param channels  {@code C >= 1}
     * @param positions {@code S >= 1}, the product of the spatial dimensions
     * @return the layout
     * @throws IllegalArgumentException if either is below 1
     */
    public static ChannelLayout channelsFirst(int channels, int positions) {
        return new ChannelLayout(Kind.CHANNELS_FIRST, positive("channels", channels), positive("positions", positions));
    }

    /**
     * Tensors {@code (N, S, C)}: one decision per {@code (n, c)}, the same at each of the {@code S} positions.
     *
     * @param positions {@code S >= 1}, the product of the spatial (or time) dimensions
     * @param channels  {@code C >= 1}
     * @return the layout
     * @throws IllegalArgumentException if either is below 1
     */
    public static ChannelLayout channelsLast(int positions, int channels) {
        return new ChannelLayout(Kind.CHANNELS_LAST, positive("channels", channels), positive("positions", positions));
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
        return value;
    }

    /** {@return how decisions map to elements} */
    public Kind kind() {
        return kind;
    }

    /** {@return {@code C}: 1 for element-wise} */
    public int channels() {
        return channels;
    }

    /** {@return {@code S}: 1 for element-wise} */
    public int positions() {
        return positions;
    }

    /**
     * Keep decisions, stream elements and mask bits of a region of {@code length} elements: {@code length / S}.
     *
     * @param length elements in the region, a multiple of {@code C * S}
     * @return {@code N * C}
     */
    public long decisions(long length) {
        return length / positions;
    }

    /**
     * Where {@link NormalBlocks} lays the normals out by decision (and {@link KeepBits} expands short runs' and
     * small samples' keep bits): element {@code i}'s decision for
     * {@code i < SHORT_TABLE}, in a layout of short periods; otherwise null.
     * Callers must not write to it.
     */
    int[] shortDecisions() {
        return shortDecisions;
    }

    /** {@return the elements of one period of the decisions: a run ({@code S}) channels first, a sample ({@code C * S}) otherwise} */
    long period() {
        return kind == Kind.CHANNELS_FIRST ? positions : (long) channels * positions;
    }

    /** {@return the decisions in one {@link #period}: 1 channels first, {@code C} otherwise} */
    int decisionsPerPeriod() {
        return kind == Kind.CHANNELS_FIRST ? 1 : channels;
    }

    /**
     * {@return where a parallel call that writes or reads a packed mask may cut a region: multiples of this many
     * elements, whole periods whose decisions fill whole 64-bit mask words} So a chunk from element {@code from}
     * starts at decision {@code decisions(from)}, a multiple of 64: its mask words are its own, and a word offset
     * addresses them. 64 element-wise, {@code 64 S} channels first, {@code C S * 64 / gcd(C, 64)} channels last.
     */
    long maskGranule() {
        int perWord = 64 / Math.min(64, Integer.lowestOneBit(decisionsPerPeriod())); // 64 / gcd(D, 64)
        return period() > Long.MAX_VALUE / perWord ? Long.MAX_VALUE : period() * perWord; // no region is that long
    }

    /**
     * {@return where a parallel call without a mask may cut a region: whole runs or samples (a chunk starts at a
     * period, so its decisions are {@code decisions(from)} on), 64 elements element-wise as with a mask}
     */
    long granule() {
        return kind == Kind.ELEMENTWISE ? maskGranule() : period();
    }

    /** Throws unless {@code length} is a whole number of samples. */
    void checkLength(long length) {
        long sample = (long) channels * positions;
        if (kind != Kind.ELEMENTWISE && length % sample != 0) {
            throw new IllegalArgumentException("length " + length + " is not a whole number of samples of "
                    + channels + " channels x " + positions + " positions");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelLayout other && kind == other.kind && channels == other.channels
                && positions == other.positions;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, channels, positions);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ELEMENTWISE -> "elementwise";
            case CHANNELS_FIRST -> "channelsFirst(C=" + channels + ", S=" + positions + ")";
            case CHANNELS_LAST -> "channelsLast(S=" + positions + ", C=" + channels + ")";
        };
    }
}
