package dev.vecdrop.vector;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per-channel dropout's keep bits for short channels-first runs, a vector of elements at a time: each lane's
 * decision bit, picked from a window of the block's decisions by a lane-wise shift, and the lanes' compare turned
 * into bits ({@code VectorMask.toLong}: a move from a mask register). The plain loop it replaces cost about 3 ns per
 * run, whatever the run's length (runs of 4: 0.15 of element-wise dropout, stop 26). Moves bits only.
 *
 * <p>Thread-safety: stateless. Allocation: none once C2 has compiled it.
 */
public final class PanamaKeepBits {

    private static final VectorSpecies<Integer> INTS = Species.FLOAT_UNIFORMS;
    private static final int LANES = INTS.length();

    private PanamaKeepBits() {}

    /**
     * Element keep bits from run decisions, over the whole vectors of {@code len} elements: bit {@code j} of the
     * element bits (from word {@code out} of {@code words}) is ORed with decision bit {@code decisionOf[from + j]}
     * (from bit 0 of {@code words}). {@code decisionOf} never falls and rises by less than the lanes over any
     * vector's lanes (runs: {@code i / S}), so a vector's decisions lie in the 32 bits from its first lane's, and
     * the lanes divide 64, so a vector's bits lie in one word. The caller clears the element words and does the
     * rest, fewer than a vector.
     *
     * @return how many elements were done, a multiple of the lanes
     */
    public static int spreadRuns(long[] words, int out, int[] decisionOf, int from, int len) {
        int j = 0;
        for (int bound = INTS.loopBound(len); j < bound; j += LANES) {
            int lowest = decisionOf[from + j];
            int word = lowest >>> 6;
            // Bits lowest .. lowest + 63 of the decisions (two shifts: none by 64 when lowest % 64 == 0).
            long window = (words[word] >>> lowest) | ((words[word + 1] << 1) << ~lowest);
            long keep = IntVector.broadcast(INTS, (int) window)
                    .lanewise(VectorOperators.LSHR, IntVector.fromArray(INTS, decisionOf, from + j).sub(lowest))
                    .and(1)
                    .compare(VectorOperators.NE, 0)
                    .toLong();
            words[out + (j >>> 6)] |= keep << j; // Java shifts by j % 64
        }
        return j;
    }
}
