package dev.vecdrop.vector;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-channel dropout's keep bits for short channels-first runs and small channels-last samples, a vector of elements
 * at a time: each lane's decision bit, picked from a window of the block's decisions by a lane-wise shift, and the
 * lanes' compare turned into bits ({@code VectorMask.toLong}: a move from a mask register). The plain loops it
 * replaces cost about 3 ns per run (runs of 4: 0.15 of element-wise dropout, stop 26) or 6-8 ns per sample (samples
 * of 4 rows of 3: 0.18-0.19 in a timing loop, stop 27). Moves bits only.
 *
 * <p>Thread-safety: stateless. Allocation: none once C2 has compiled it.
 */
public final class PanamaKeepBits {

    private static final VectorSpecies<Integer> INTS = Species.FLOAT_UNIFORMS;
    private static final int LANES = INTS.length();

    /** The most channels of a channels-last layout here: a vector's decisions then lie in 32 bits. */
    public static final int MAX_ROW_CHANNELS = 16;

    static { // a vector's lanes reach LANES - 1 + C - 1 decisions past its window's start, which holds 32
        if (LANES - 1 + MAX_ROW_CHANNELS - 1 >= Integer.SIZE) {
            throw new AssertionError(LANES + " lanes: a vector's decisions do not fit in 32 bits");
        }
    }

    private PanamaKeepBits() {}

    /**
     * Element keep bits from their decisions, over the whole vectors of {@code len} elements: bit {@code j} of the
     * element bits (from word {@code out} of {@code words}) is ORed with decision bit {@code decisionOf[from + j]}
     * (from bit 0 of {@code words}). {@code decisionOf} is a layout's table: runs ({@code channels} 1,
     * {@code i / S}) or rows of {@code channels <= MAX_ROW_CHANNELS} ({@code i / (C S) * C + i % C}). A vector's
     * decisions lie in the 32 bits from its first lane's sample's channel 0: its lanes reach at most
     * {@code lanes - 1 + C - 1 <= 30} decisions past it (at most 16 lanes). The lanes divide 64, so a vector's bits
     * lie in one word, which is gathered in a register and ORed into memory once. Where a whole word's decisions lie
     * in the 32 bits from its first vector's window (runs of 3 or more, samples of a few rows: bounded by its last
     * lane's sample's channel {@code C - 1}), its vectors share that window. Samples of 4 rows of 3 went from
     * 0.37-0.38 of element-wise dropout to 0.44-0.47 (JMH, two alternated runs, stop 27); runs of 8-24 gained in
     * timing loops (0.46-0.47 to 0.51-0.54) but not in JMH (0.50-0.56 before, 0.42-0.53 after: noise). The caller
     * clears the element words and does the rest, fewer than a vector.
     *
     * @return how many elements were done, a multiple of the lanes
     */
    public static int spread(long[] words, int out, int[] decisionOf, int from, int len, int channels) {
        int step = LANES % channels;
        int channel = from % channels; // the first lane's channel (0 for runs)
        int j = 0;
        for (int bound = INTS.loopBound(len); j < bound; ) {
            int end = Math.min(bound, (j & -64) + 64); // the whole vectors of this word of element bits
            int lowest = decisionOf[from + j] - channel;
            // The word's decisions all in the 32 bits from its first vector's window start: one window for the word;
            // otherwise (runs of 1 or 2, wide rows) a window a vector. Loop-invariant: C2 unswitches the loop.
            boolean shared = decisionOf[from + end - 1] + channels - 1 - lowest < Integer.SIZE;
            long window = window(words, lowest);
            long bits = 0; // the word's keep bits, stored once
            for (; j < end; j += LANES) {
                if (!shared) {
                    lowest = decisionOf[from + j] - channel;
                    window = window(words, lowest);
                }
                bits |= IntVector.broadcast(INTS, (int) window)
                        .lanewise(VectorOperators.LSHR, IntVector.fromArray(INTS, decisionOf, from + j).sub(lowest))
                        .and(1)
                        .compare(VectorOperators.NE, 0)
                        .toLong() << j; // Java shifts by j % 64
                channel += step;
                channel -= channel >= channels ? channels : 0;
            }
            words[out + ((j - 1) >>> 6)] |= bits;
        }
        return j;
    }

    /** Bits {@code bit .. bit + 63} of the decisions (two shifts: none by 64 when {@code bit % 64 == 0}). */
    private static long window(long[] words, int bit) {
        int word = bit >>> 6;
        return (words[word] >>> bit) | ((words[word + 1] << 1) << ~bit);
    }
}
