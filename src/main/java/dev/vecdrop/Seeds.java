package dev.vecdrop;

/**
 * Independent per-layer (or per-worker) seeds from one master seed.
 *
 * <p>{@code derive(master, i) = word(mix64(master), i)}: the {@code (i + 1)}-th {@code nextLong()} of
 * {@code new SplittableRandom(MaskStream.mix64(master))}. Derived seeds are well-mixed 64-bit values, so two
 * layers' streams overlap only with probability about {@code (elements drawn) / 2^64}. Seeds that differ by a
 * multiple of {@code GOLDEN_GAMMA} are the same stream shifted: derive seeds rather than adding small
 * multiples of the gamma by hand.
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
public final class Seeds {

    private Seeds() {}

    /**
     * The seed of layer {@code index} under {@code master}.
     *
     * @param master the run's seed
     * @param index  the layer (or stream) index ({@code >= 0})
     * @return the layer's seed
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public static long derive(long master, long index) {
        if (index < 0) {
            throw new IllegalArgumentException("seed index must be >= 0, got " + index);
        }
        return MaskStream.word(MaskStream.mix64(master), index);
    }
}
