package dev.vecdrop;

/**
 * The mask-stream contract: element {@code e}'s keep decision as a pure function of {@code (seed, e, p)}.
 *
 * <pre>
 * word(seed, k) = mix64(seed + (k + 1) * GOLDEN_GAMMA)          k &gt;= 0
 * u(seed, e)    = (int) (word(seed, e &gt;&gt;&gt; 1) &gt;&gt;&gt; ((e &amp; 1) * 32))
 * T             = (long) Math.floor((1 - p) * 2^32)             0 &lt;= T &lt;= 2^32
 * keep(seed, e) = Integer.toUnsignedLong(u(seed, e)) &lt; T
 * </pre>
 *
 * {@code word(seed, k)} is the {@code (k + 1)}-th {@code nextLong()} of {@code new SplittableRandom(seed)}.
 * The keep probability is exactly {@code T / 2^32}. This contract never changes: masks written today are
 * reproducible by every later version, on every ISA, vector width, chunking and thread count.
 *
 * <p>Thread-safety: stateless, all methods are pure. Allocation: none.
 */
public final class MaskStream {

    /** The SplitMix64 increment (odd, the golden ratio in 64-bit fixed point). */
    public static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /** First multiplier of {@link #mix64}. */
    public static final long MIX_MULTIPLIER_1 = 0xbf58476d1ce4e5b9L;
    /** Second multiplier of {@link #mix64}. */
    public static final long MIX_MULTIPLIER_2 = 0x94d049bb133111ebL;
    /** {@code 2^32}: the threshold that keeps every element. */
    public static final long KEEP_ALL = 1L << 32;

    private MaskStream() {}

    /**
     * Stafford's variant 13 finaliser, as used by {@code SplittableRandom}.
     *
     * @param z the 64-bit input
     * @return its mix
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * MIX_MULTIPLIER_1;
        z = (z ^ (z >>> 27)) * MIX_MULTIPLIER_2;
        return z ^ (z >>> 31);
    }

    /**
     * The {@code k}-th 64-bit word of the stream of {@code seed}.
     *
     * @param seed the seed of the stream
     * @param k    the word index ({@code >= 0})
     * @return the word
     */
    public static long word(long seed, long k) {
        return mix64(seed + (k + 1) * GOLDEN_GAMMA);
    }

    /**
     * The 32-bit uniform of element {@code e}: the low half of its word if {@code e} is even, else the high half.
     *
     * @param seed the seed of the stream
     * @param e    the element index ({@code >= 0})
     * @return the uniform, to be read as unsigned
     */
    public static int uniform32(long seed, long e) {
        return (int) (word(seed, e >>> 1) >>> ((e & 1) * 32));
    }

    /**
     * The keep threshold {@code T = floor((1 - p) * 2^32)} for drop probability {@code p}.
     *
     * @param p the drop probability
     * @return {@code T}, in {@code [0, 2^32]}
     * @throws IllegalArgumentException if {@code p} is NaN or outside {@code [0, 1]}
     */
    public static long threshold(double p) {
        if (!(p >= 0.0 && p <= 1.0)) { // also rejects NaN
            throw new IllegalArgumentException("drop probability p must be in [0, 1], got " + p);
        }
        return (long) Math.floor((1.0 - p) * 4294967296.0);
    }

    /**
     * Whether element {@code e} of the stream of {@code seed} is kept under threshold {@code t}.
     *
     * @param seed the seed of the stream
     * @param e    the element index ({@code >= 0})
     * @param t    the keep threshold (see {@link #threshold})
     * @return whether the element's uniform, unsigned, is below {@code t}
     */
    public static boolean keep(long seed, long e, long t) {
        return Integer.toUnsignedLong(uniform32(seed, e)) < t;
    }
}
