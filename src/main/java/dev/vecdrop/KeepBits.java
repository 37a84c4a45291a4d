package dev.vecdrop;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * A thread's scratch for per-channel dropout over short layouts, and the plain Java that fills it: channels-first
 * runs under {@value #SHORT_RUN} elements and channels-last rows of at most {@value #SHORT_ROW} channels go a block of
 * {@value #BLOCK} elements at a time. The block's decisions (drawn by the mask kernel into {@link #words} from word
 * 0, or copied there from a stored mask) are expanded by {@link #build} into the block's element-wise keep bits, from
 * word {@link #ELEMENT_BITS}, which the stored-mask kernels then apply in one loop. A kernel call per run or per row
 * cost more than the run: runs of 4 and rows of 3 ran at 0.03 of element-wise dropout (49,152 floats, AMD EPYC,
 * stop 26).
 *
 * <p>The expansion never branches on a decision: with a branch, half of them missed (runs of 4 at 0.08 of
 * element-wise dropout, against 0.15 without). Channels-first runs under 32 elements and channels-last samples under
 * 32 elements of at most 16 channels, whose layouts hold a table of their elements' decisions
 * ({@link ChannelLayout#shortDecisions}), are expanded a vector at a time on vector kernels
 * ({@code PanamaKeepBits.spread}); the plain loops cost about 3 ns a run, however short, and 6-8 ns a small sample.
 *
 * <p>Thread-safety: an instance is lent to one thread at a time ({@link #borrow}). Allocation: 131 longs per
 * thread, on its first such call, and 1,048 bytes of native memory on its first such call over segments (an automatic
 * arena's, freed with the scratch, counted against {@code -XX:MaxDirectMemorySize}); none after. Virtual threads
 * share a few ({@link PerThread}).
 */
final class KeepBits {

    /** Channels-first runs shorter than this take the keep bits. */
    static final int SHORT_RUN = 128;
    /** Channels-last rows of at most this many channels take the keep bits: a row's decisions are one word or less. */
    static final int SHORT_ROW = 64;
    /**
     * Elements per block: each block costs a mask-kernel call, the expansion's set-up and a stored-mask kernel
     * call, about 20 ns. Blocks of 4,096 ran rows of 64 channels at 0.92-1.03 of element-wise dropout, blocks of
     * 1,024 at 0.77-0.86 (2,048: 0.83-0.97; 8,192: 0.99-1.09; three alternated timing loops, AMD EPYC, stop 27).
     */
    static final int BLOCK = 4096;
    /**
     * The word where the elements' keep bits start: the block's decisions come first, at most {@code BLOCK} (runs of
     * 1) or {@code (BLOCK - 1) / S + 2 C <= BLOCK + 127} (rows: whole samples at both ends), 66 words. (An element's
     * own decision bit is at most {@code BLOCK + C - 2}, in word 64: with 64 words, rows of 63 channels fail.)
     */
    static final int ELEMENT_BITS = (BLOCK + 2 * SHORT_ROW - 1 + 63) >>> 6;

    private static final PerThread<KeepBits> SCRATCH = new PerThread<>(KeepBits::new);

    /** {@code PanamaKeepBits.spread}, or null on the scalar path. */
    private static final MethodHandle SPREAD = VectorMethods.find("PanamaKeepBits", "spread",
            MethodType.methodType(int.class, long[].class, int.class, int[].class, int.class, int.class, int.class),
            "per-channel keep bits");
    /**
     * Channels-last samples under this many elements take the vector spread: it costs 2-3 ns a vector whatever the
     * sample, and the word-at-a-time rows 6-8 ns a sample (a tie at 32 elements, AMD EPYC, stop 27).
     */
    private static final int SPREAD_SAMPLE = 32;
    /** A constant, which javac copies here: the scalar path never loads {@code PanamaKeepBits}. */
    private static final int SPREAD_ROW_CHANNELS = dev.vecdrop.vector.PanamaKeepBits.MAX_ROW_CHANNELS;

    static { // the layout's table exists for, and reaches every element of, a block of short runs or small samples
        int longest = Math.max(NormalBlocks.LONG_RUN, SPREAD_SAMPLE);
        if (SPREAD_SAMPLE > NormalBlocks.SHORT_SAMPLE
                || longest - 1 + BLOCK > ChannelLayout.SHORT_TABLE) {
            throw new AssertionError("ChannelLayout's decision table is too short for a block of keep bits");
        }
    }

    /** The decisions (words 0-65), the elements' keep bits (66-129), and a word that {@link #orBits} may spill into. */
    final long[] words = new long[ELEMENT_BITS + BLOCK / 64 + 1];
    /**
     * The words the segment kernels take, in native memory: the mask kernel draws a block's decisions here
     * ({@link #decisionsFromNative}) and the stored-mask kernels read the keep bits from here
     * ({@link #elementBitsToNative}). Not a heap view of {@link #words}: these kernels would then see heap masks
     * from here and native ones from callers, and C2 recompiled them again and again, boxing vectors, in a JVM
     * that passed only native segments (about 500 KB and 60 times the time an iteration of a mask call and a short
     * per-channel call, for some 15 s, until stop 31; docs/quality.md, "mixed heap and native masks").
     */
    private MemorySegment nativeWords;

    /**
     * {@link #nativeWords}, made on a thread's first short per-channel call over segments: array callers never pay
     * the native memory (it counts against {@code -XX:MaxDirectMemorySize}, and a thread per task would make one a
     * task). No lock: an instance is lent to one thread at a time.
     */
    MemorySegment nativeWords() {
        MemorySegment words = nativeWords;
        if (words == null) {
            words = Arena.ofAuto().allocate((long) this.words.length * Long.BYTES, Long.BYTES);
            nativeWords = words;
        }
        return words;
    }

    private KeepBits() {}

    /** Copies the first {@code decisions} bits the segment mask kernel drew in {@link #nativeWords} to {@link #words}. */
    void decisionsFromNative(int decisions) {
        MemorySegment.copy(nativeWords(), ValueLayout.JAVA_LONG, 0, words, 0, (decisions + 63) >>> 6);
    }

    /** Copies the keep bits {@link #build} wrote for {@code len} elements to {@link #nativeWords}, at the same words. */
    void elementBitsToNative(int len) {
        MemorySegment.copy(words, ELEMENT_BITS, nativeWords(), ValueLayout.JAVA_LONG, (long) ELEMENT_BITS * Long.BYTES,
                (len + 63) >>> 6);
    }

    /** {@return this thread's scratch (on a virtual thread, a shared one): {@link #giveBack} it after the call} */
    static KeepBits borrow() {
        return SCRATCH.borrow();
    }

    /** Ends a {@link #borrow}; a call that throws need not (the scratch is then made again later). */
    void giveBack() {
        SCRATCH.giveBack(this);
    }

    /** Whether per-channel dropout over {@code layout} takes the keep bits. */
    static boolean takes(ChannelLayout layout) {
        return switch (layout.kind()) {
            case ELEMENTWISE -> false;
            case CHANNELS_FIRST -> layout.positions() < SHORT_RUN;
            case CHANNELS_LAST -> layout.channels() <= SHORT_ROW;
        };
    }

    /** The first decision of region element {@code i}'s run (channels first) or sample (channels last). */
    static long firstDecision(ChannelLayout layout, long i) {
        return i / layout.period() * layout.decisionsPerPeriod();
    }

    /** The decisions of elements {@code [k, k + len)}, their runs' or their samples' whole, from {@code firstDecision(k)}. */
    static int blockDecisions(ChannelLayout layout, long k, int len) {
        return (int) (firstDecision(layout, k + len - 1) - firstDecision(layout, k) + layout.decisionsPerPeriod());
    }

    /**
     * Elements {@code [k, k + len)} ({@code len <= BLOCK}) of a region over {@code layout}, their decisions in the
     * words from bit 0 ({@code firstDecision(k)} first): writes their keep bits from word {@link #ELEMENT_BITS}, short
     * runs and small samples a vector at a time if {@code vector} (the caller's kernels are vector ones) and the
     * Vector API is linked.
     */
    void build(ChannelLayout layout, long k, int len, boolean vector) {
        Arrays.fill(words, ELEMENT_BITS, ELEMENT_BITS + ((len + 63) >>> 6) + 1, 0L);
        int[] decisionOf = layout.shortDecisions();
        boolean channelsFirst = layout.kind() == ChannelLayout.Kind.CHANNELS_FIRST;
        if (decisionOf != null && channelsFirst) { // runs under 32: by the table
            spread(words, decisionOf, (int) (k % layout.period()), len, 1, vector);
        } else if (!channelsFirst && vector && SPREAD != null && layout.period() < SPREAD_SAMPLE
                && layout.channels() <= SPREAD_ROW_CHANNELS) { // small samples: by the table too
            spread(words, decisionOf, (int) (k % layout.period()), len, layout.channels(), true);
        } else if (channelsFirst || layout.channels() == 1) { // a decision a run
            runBits(words, layout.positions(), k, len);
        } else {
            rowBits(words, layout.channels(), layout.positions(), k, len);
        }
    }

    /**
     * Element {@code j} of the block being {@code from + j} of the layout's table (the block starts {@code from}
     * elements into a run or sample): its decision bit copied, a vector at a time, then the rest. The table covers
     * the first {@code ChannelLayout.SHORT_TABLE} elements, and {@code from + len} is at most
     * {@code 31 + BLOCK}: runs and samples here are under 32 elements (asserted above).
     */
    private static void spread(long[] w, int[] decisionOf, int from, int len, int channels, boolean vector) {
        int j = 0;
        if (vector && SPREAD != null) {
            try {
                j = (int) SPREAD.invokeExact(w, ELEMENT_BITS, decisionOf, from, len, channels);
            } catch (Throwable t) {
                throw VectorMethods.unchecked(t);
            }
        }
        for (; j < len; j++) {
            int d = decisionOf[from + j];
            w[ELEMENT_BITS + (j >>> 6)] |= ((w[d >>> 6] >>> d) & 1L) << j;
        }
    }

    /** Runs of {@code S = positions}: each run's decision over its elements' bits. */
    private static void runBits(long[] w, long positions, long k, int len) {
        long runEnd = (k / positions + 1) * positions - k; // the first run's end, in the block
        for (int e = 0, q = 0; e < len; q++) {
            int end = (int) Math.min(runEnd, len);
            setBits(w, e, end, -((w[q >>> 6] >>> q) & 1L)); // all ones or none, no branch
            e = end;
            runEnd += positions;
        }
    }

    /**
     * Channels last, rows of {@code 2 <= C <= 64} channels. A sample's element bits are its {@code C} decisions
     * repeated, so each sample part is written 64 bits at a time: the bits from phase {@code t % C} of the repetition,
     * the phase advancing by {@code 64 % C} a word. Copying a row at a time cost about 3 ns a row (rows of 3 at 0.10
     * of element-wise dropout, AMD EPYC, stop 26).
     */
    private static void rowBits(long[] w, int channels, long positions, long k, int len) {
        long sample = channels * positions;
        int step = 64 % channels;
        long t = k % sample; // where the block starts in its sample
        int sampleBit = 0; // the decision bit of the current sample's channel 0
        for (int e = 0; e < len; sampleBit += channels, t = 0) {
            int end = (int) Math.min(len, e + (sample - t));
            // Bits 0-63 of the repetition; a sample of at most 64 elements reads no further than its own length.
            long low = repeat(decisionBits(w, sampleBit, channels), channels, (int) Math.min(64, sample));
            // Bits 64 + r of the repetition are decisions (r + step) % C, bits r + step of low. Only r < phase < C are
            // read, and r + step < 64 (C <= 32: both under C; C > 32: step is 64 - C).
            long high = low >>> step;
            for (int phase = (int) (t % channels); e < end; e += 64) {
                long bits = (low >>> phase) | ((high << 1) << (63 - phase));
                orBits(w, e, bits & (-1L >>> -Math.min(64, end - e))); // the part's last word cut at its end
                phase += step;
                phase -= phase >= channels ? channels : 0;
            }
            e = end;
        }
    }

    /** {@code pattern}'s low {@code period} bits repeated over at least the low {@code length} (up to 64) bits. */
    private static long repeat(long pattern, int period, int length) {
        long bits = pattern;
        for (int filled = period; filled < length; filled <<= 1) {
            bits |= bits << filled;
        }
        return bits;
    }

    /**
     * {@code count} (1 to 64) decision bits from bit {@code bit} (they may straddle two words; a read of the next
     * word past the decisions is masked off).
     */
    private static long decisionBits(long[] w, int bit, int count) {
        int i = bit >>> 6;
        long bits = (w[i] >>> bit) | ((w[i + 1] << 1) << ~bit); // two shifts: no shift by 64 when bit % 64 == 0
        return count == 64 ? bits : bits & ((1L << count) - 1);
    }

    /** ORs {@code bits} into the keep bits from element bit {@code at} on (straddling into the next word). */
    private static void orBits(long[] w, int at, long bits) {
        int i = ELEMENT_BITS + (at >>> 6);
        w[i] |= bits << at;
        w[i + 1] |= (bits >>> 1) >>> ~at; // bits >>> (64 - at % 64), and none when at % 64 == 0
    }

    /** ORs {@code keep} (all ones or none) into keep bits {@code [from, to)}. */
    private static void setBits(long[] w, int from, int to, long keep) {
        int first = ELEMENT_BITS + (from >>> 6);
        int last = ELEMENT_BITS + ((to - 1) >>> 6);
        long low = (-1L << from) & keep; // Java shifts by the count's low 6 bits
        long high = (-1L >>> -to) & keep; // bits 0 .. (to - 1) & 63 of the last word
        if (first == last) {
            w[first] |= low & high;
            return;
        }
        w[first] |= low;
        for (int i = first + 1; i < last; i++) {
            w[i] = keep;
        }
        w[last] |= high;
    }
}
