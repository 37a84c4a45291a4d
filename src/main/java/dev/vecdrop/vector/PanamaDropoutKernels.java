package dev.vecdrop.vector;

import dev.vecdrop.MaskStream;
import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.kernel.KernelChoice;
import dev.vecdrop.kernel.WidthChoice;
import dev.vecdrop.kernel.WidthRequest;
import dev.vecdrop.scalar.ScalarDropoutKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dropout kernels on the Vector API, bit-identical to {@link ScalarDropoutKernels}.
 *
 * <p>One vector of {@code F} floats takes its {@code F} uniforms from one vector of {@code F / 2} SplitMix64
 * words: reinterpreted as ints (little-endian lane order), lane {@code 2j} is the low half of word {@code j}
 * and lane {@code 2j + 1} its high half, which is exactly the contract's element order when the block starts
 * at an even stream position. Odd stream offsets are reduced to even ones (see {@link #train}).
 *
 * <p>Kernels are shaped as a vector body and a scalar tail that calls the reference's range methods. All
 * vector values live inside one method: a helper taking or returning vectors may be compiled on its own,
 * refused for inlining later, and then box its vectors on every call.
 *
 * <p>Thread-safety: stateless. Allocation: none once C2 has compiled the kernels.
 */
public final class PanamaDropoutKernels implements DropoutKernels {

    private static final VectorSpecies<Float> FLOATS = Species.FLOATS;
    private static final VectorSpecies<Integer> INTS = Species.INTS;
    private static final VectorSpecies<Long> LONGS = Species.LONGS;
    private static final int LANES = FLOATS.length();

    /** Lane {@code j}: {@code j * GOLDEN_GAMMA}, the counter offset of word {@code j} of a block. */
    private static final long[] LANE_GAMMAS = new long[WidthChoice.MAX_BITS / Long.SIZE];
    /** Lane {@code j}: {@code 1 << j}, to expand mask bits into lanes without {@code VectorMask.fromLong}. */
    private static final int[] LANE_BITS = new int[WidthChoice.MAX_BITS / Float.SIZE];
    /** Flips the sign bit of both 32-bit halves, so an unsigned compare becomes a signed one. */
    private static final long SIGN_BITS = 0x8000_0000_8000_0000L;

    static {
        for (int j = 0; j < LANE_GAMMAS.length; j++) {
            LANE_GAMMAS[j] = j * MaskStream.GOLDEN_GAMMA;
        }
        for (int j = 0; j < LANE_BITS.length; j++) {
            LANE_BITS[j] = 1 << j;
        }
    }

    private static final PanamaDropoutKernels INSTANCE = new PanamaDropoutKernels();

    private PanamaDropoutKernels() {}

    /**
     * Called reflectively by the selector: these kernels at {@link Species#BITS}, or the scalar reference when
     * this CPU has no width the kernels run ({@link WidthChoice#chooseBits}), with the reason either way.
     */
    public static KernelChoice create() {
        String reason = WidthChoice.reason(WidthRequest.BITS, Species.HARDWARE_BITS);
        return Species.BITS == WidthChoice.NONE
                ? new KernelChoice(ScalarDropoutKernels.INSTANCE, reason)
                : new KernelChoice(INSTANCE, reason);
    }

    @Override
    public String name() {
        return "vector-" + Species.BITS;
    }

    @Override
    public int vectorBitSize() {
        return Species.BITS;
    }

    @Override
    public void train(long seed, long streamOffset, long threshold, boolean scaled, float scale,
                      float[] x, int xOff, float[] y, int yOff, int length, long[] mask, int maskOff) {
        if ((streamOffset & 1) == 0 || length == 0) {
            trainEven(seed, streamOffset, threshold, scaled, scale, x, xOff, y, yOff, length, mask, maskOff);
            return;
        }
        // An odd start would split every word across two vectors. Instead run elements 1.. from the even
        // position streamOffset + 1, shift their mask bits up by one, and do element 0 by the reference.
        int x1 = x == null ? 0 : xOff + 1;
        trainEven(seed, streamOffset + 1, threshold, scaled, scale, x, x1, y, yOff + 1, length - 1, mask, maskOff);
        if (mask != null) {
            shiftUpOneBit(mask, maskOff, (length - 1 + 63) >>> 6, (length + 63) >>> 6);
        }
        ScalarDropoutKernels.trainRange(seed, streamOffset, threshold, scaled, scale, x, xOff, y, yOff,
                mask, maskOff, 0, 1);
    }

    /** Multiplies the bit string in {@code mask[off, off + words)} by two; words past {@code written} read as 0. */
    private static void shiftUpOneBit(long[] mask, int off, int written, int words) {
        long carry = 0;
        for (int w = 0; w < words; w++) {
            long v = w < written ? mask[off + w] : 0L;
            mask[off + w] = (v << 1) | carry;
            carry = v >>> 63;
        }
    }

    /** {@link #train} for an even {@code streamOffset}. */
    private static void trainEven(long seed, long streamOffset, long threshold, boolean scaled, float scale,
                                  float[] x, int xOff, float[] y, int yOff, int length, long[] mask, int maskOff) {
        // Counter of word j of the first block: seed + (k + 1 + j) * GAMMA with k = streamOffset / 2.
        LongVector counter = LongVector.broadcast(LONGS, seed + ((streamOffset >>> 1) + 1) * MaskStream.GOLDEN_GAMMA)
                .add(LongVector.fromArray(LONGS, LANE_GAMMAS, 0));
        final LongVector step = LongVector.broadcast(LONGS, LONGS.length() * MaskStream.GOLDEN_GAMMA);
        // keep <=> u <u T <=> (u ^ 2^31) <s (T - 2^31); the flip of u is folded into the last xor of mix64.
        final IntVector flippedThreshold = IntVector.broadcast(INTS, (int) (threshold - 0x8000_0000L));
        final FloatVector zero = FloatVector.zero(FLOATS);
        long bits = 0;
        int i = 0;
        for (int bound = FLOATS.loopBound(length); i < bound; i += LANES) {
            LongVector z = counter;
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31)).lanewise(VectorOperators.XOR, SIGN_BITS);
            VectorMask<Float> keep = z.reinterpretAsInts().compare(VectorOperators.LT, flippedThreshold).cast(FLOATS);
            counter = counter.add(step);
            if (x != null) {
                FloatVector v = FloatVector.fromArray(FLOATS, x, xOff + i);
                if (scaled) {
                    v = v.mul(scale);
                }
                zero.blend(v, keep).intoArray(y, yOff + i);
            }
            if (mask != null) { // loop-invariant: C2 unswitches it, so a forward without mask does no bit work
                bits |= keep.toLong() << i; // LANES divides 64, so a block never straddles two words
                if (((i + LANES) & 63) == 0) {
                    mask[maskOff + (i >>> 6)] = bits;
                    bits = 0;
                }
            }
        }
        if (mask != null && ((i & 63) != 0 || i < length)) {
            mask[maskOff + (i >>> 6)] = bits; // the tail ORs its bits into this word
        }
        ScalarDropoutKernels.trainRange(seed, streamOffset, threshold, scaled, scale, x, xOff, y, yOff,
                mask, maskOff, i, length);
    }

    @Override
    public void applyMask(long[] mask, int maskOff, boolean scaled, float scale,
                          float[] src, int srcOff, float[] dst, int dstOff, int length) {
        final IntVector laneBits = IntVector.fromArray(INTS, LANE_BITS, 0);
        final FloatVector zero = FloatVector.zero(FLOATS);
        int i = 0;
        for (int bound = FLOATS.loopBound(length); i < bound; i += LANES) {
            int blockBits = (int) (mask[maskOff + (i >>> 6)] >>> i);
            // broadcast + and + compare: portable, where VectorMask.fromLong needs pdep (slow on older AMD).
            VectorMask<Float> keep = IntVector.broadcast(INTS, blockBits).and(laneBits)
                    .compare(VectorOperators.NE, 0).cast(FLOATS);
            FloatVector v = FloatVector.fromArray(FLOATS, src, srcOff + i);
            if (scaled) {
                v = v.mul(scale);
            }
            zero.blend(v, keep).intoArray(dst, dstOff + i);
        }
        ScalarDropoutKernels.applyMaskRange(mask, maskOff, scaled, scale, src, srcOff, dst, dstOff, i, length);
    }

    @Override
    public void scale(float c, float[] x, int xOff, float[] y, int yOff, int length) {
        int i = 0;
        for (int bound = FLOATS.loopBound(length); i < bound; i += LANES) {
            FloatVector.fromArray(FLOATS, x, xOff + i).mul(c).intoArray(y, yOff + i);
        }
        ScalarDropoutKernels.scaleRange(c, x, xOff, y, yOff, i, length);
    }
}
