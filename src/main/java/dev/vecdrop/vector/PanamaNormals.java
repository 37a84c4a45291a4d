package dev.vecdrop.vector;

import dev.vecdrop.MaskStream;
import dev.vecdrop.NormalStream;
import dev.vecdrop.kernel.NormalCoefficients;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The normal stream ({@link NormalStream#z}) on the Vector API, bit-identical to the scalar reference: the same
 * exactly rounded float operations in the same order, lane by lane.
 *
 * <p>A block of {@code F} floats starting at an even stream position is {@code F / 2} Box-Muller pairs, made from
 * one vector of {@code F / 2} SplitMix64 words. Each word's low half (the radius) is copied into both of its
 * 32-bit lanes, and so is its high half (the angle), with the odd lane's angle a quarter turn back; then every
 * lane runs the same code. Copying halves with long shifts keeps everything lane-wise (no shuffles).
 *
 * <p>All vector values live inside {@link #fill}: a helper taking or returning vectors may be compiled on its
 * own, refused for inlining later, and then box its vectors on every call.
 *
 * <p>Thread-safety: stateless. Allocation: none once C2 has compiled {@link #fill}.
 */
public final class PanamaNormals {

    private static final VectorSpecies<Float> FLOATS = Species.FLOATS;
    private static final VectorSpecies<Integer> INTS = Species.FLOAT_UNIFORMS;
    private static final VectorSpecies<Long> LONGS = Species.FLOAT_WORDS;
    private static final int LANES = FLOATS.length();

    /** Lane {@code j}: {@code j * GOLDEN_GAMMA}, the counter offset of word {@code j} of a block. */
    private static final long[] LANE_GAMMAS = new long[LONGS.length()];
    private static final long LOW_HALF = 0xffff_ffffL;
    /** Subtracted from a long, a quarter turn off its high (odd-element) int lane only. */
    private static final long ODD_QUARTER_TURN = 1L << 62;

    static {
        for (int j = 0; j < LANE_GAMMAS.length; j++) {
            LANE_GAMMAS[j] = j * MaskStream.GOLDEN_GAMMA;
        }
    }

    private PanamaNormals() {}

    /**
     * {@link NormalStream#fill} without its argument checks (the caller has done them): called through a method
     * handle that {@link NormalStream} loads when the selected kernels are vector ones.
     */
    public static void fill(long seed, long offset, float[] out, int off, int len) {
        if (len == 0) {
            return;
        }
        if ((offset & 1) != 0) { // an odd start would split every pair across two blocks: element 0 by itself
            out[off] = NormalStream.z(seed, offset);
            offset++;
            off++;
            len--;
        }
        LongVector counter = LongVector.broadcast(LONGS, seed + ((offset >>> 1) + 1) * MaskStream.GOLDEN_GAMMA)
                .add(LongVector.fromArray(LONGS, LANE_GAMMAS, 0));
        final LongVector step = LongVector.broadcast(LONGS, LONGS.length() * MaskStream.GOLDEN_GAMMA);
        final FloatVector twoToMinus16 = FloatVector.broadcast(FLOATS, 0x1p-16f);
        final FloatVector logP1 = FloatVector.broadcast(FLOATS, NormalCoefficients.LOG_P1);
        final FloatVector ln2Hi = FloatVector.broadcast(FLOATS, NormalCoefficients.LN2_HI);
        final FloatVector ln2Lo = FloatVector.broadcast(FLOATS, NormalCoefficients.LN2_LO);
        final FloatVector cosC2 = FloatVector.broadcast(FLOATS, NormalCoefficients.COS_C2);
        final FloatVector cosC1 = FloatVector.broadcast(FLOATS, NormalCoefficients.COS_C1);
        final FloatVector one = FloatVector.broadcast(FLOATS, 1f);
        final FloatVector sinS1 = FloatVector.broadcast(FLOATS, NormalCoefficients.SIN_S1);
        final FloatVector sinS0 = FloatVector.broadcast(FLOATS, NormalCoefficients.SIN_S0);
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += LANES) {
            LongVector w = counter;
            w = w.lanewise(VectorOperators.XOR, w.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
            w = w.lanewise(VectorOperators.XOR, w.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
            w = w.lanewise(VectorOperators.XOR, w.lanewise(VectorOperators.LSHR, 31));
            counter = counter.add(step);

            // Radius: v = lo | 1 in both int lanes of the word; u1 = RN(v / 2^32) by one fma.
            IntVector v = w.and(LOW_HALF).or(w.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts().or(1);
            FloatVector vHigh = (FloatVector) v.lanewise(VectorOperators.LSHR, 16).convert(VectorOperators.I2F, 0);
            FloatVector vLow = (FloatVector) v.and(0xffff).convert(VectorOperators.I2F, 0);
            FloatVector u1 = vHigh.fma(twoToMinus16, vLow.mul(0x1p-32f));

            // ln u1 = k ln 2 + ln(1 + f), 1 + f in [sqrt(1/2), sqrt(2)).
            IntVector ix = u1.reinterpretAsInts().sub(NormalCoefficients.SQRT_HALF_BITS);
            FloatVector k = (FloatVector) ix.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0);
            FloatVector f = ix.and(0x7fffff).add(NormalCoefficients.SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
            FloatVector s = f.div(f.add(2f));
            FloatVector y = s.mul(s);
            FloatVector r = y.mul(y.fma(NormalCoefficients.LOG_P3, NormalCoefficients.LOG_P2).fma(y, logP1));
            FloatVector h = f.mul(0.5f).mul(f);
            FloatVector lnm = f.add(s.fma(h.add(r), h.neg()));
            FloatVector logU = k.fma(ln2Hi, k.fma(ln2Lo, lnm));
            FloatVector radius = logU.mul(-2f).lanewise(VectorOperators.SQRT);

            // Angle: the high half in both int lanes, the odd lane a quarter turn back (sin = cos - pi/2);
            // t = angle >>> 6 (26 bits), centred = t + 2^23: quadrant and x in [-1, 1) as in the reference.
            IntVector centred = w.lanewise(VectorOperators.LSHR, 32).or(w.and(~LOW_HALF)).sub(ODD_QUARTER_TURN)
                    .reinterpretAsInts().lanewise(VectorOperators.LSHR, 6).add(1 << 23);
            IntVector quadrant = centred.lanewise(VectorOperators.LSHR, 24).and(3);
            FloatVector x = ((FloatVector) centred.and(0xffffff).sub(1 << 23).convert(VectorOperators.I2F, 0))
                    .mul(0x1p-23f);
            FloatVector x2 = x.mul(x);
            FloatVector c = x2.fma(NormalCoefficients.COS_C4, NormalCoefficients.COS_C3)
                    .fma(x2, cosC2).fma(x2, cosC1).fma(x2, one);
            FloatVector sn = x.mul(x2.fma(NormalCoefficients.SIN_S3, NormalCoefficients.SIN_S2)
                    .fma(x2, sinS1).fma(x2, sinS0));
            VectorMask<Float> oddQuadrant = quadrant.and(1).compare(VectorOperators.NE, 0).cast(FLOATS);
            IntVector sign = quadrant.add(1).and(2).lanewise(VectorOperators.LSHL, 30);
            radius.mul(c.blend(sn, oddQuadrant).reinterpretAsInts().lanewise(VectorOperators.XOR, sign)
                    .reinterpretAsFloats()).intoArray(out, off + i);
        }
        for (; i < len; i++) {
            out[off + i] = NormalStream.z(seed, offset + i);
        }
    }
}
