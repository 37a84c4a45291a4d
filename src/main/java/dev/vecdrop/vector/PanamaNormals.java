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
 * <p>One step makes {@code 2F} floats ({@code F} float lanes) at an even stream position: {@code F} Box-Muller
 * pairs from two vectors of {@code F / 2} SplitMix64 words, {@code A} (the first {@code F / 2} pairs) and
 * {@code B} (the next). Each float lane computes one <em>pair</em>: the radius (logarithm, division, square root)
 * and both polynomials once, where a lane per element would compute them twice. The two elements of a pair differ
 * only in quadrant: the odd element's angle is a quarter turn back, which leaves the reduced argument {@code x}
 * unchanged and lowers the quadrant by one, so the odd value picks the other polynomial and its own sign.
 * Lanes are regrouped with long shifts and masks only, lane-wise (no shuffles, so every width and ISA runs the
 * same code): int lane {@code 2j} holds pair {@code j} of {@code A}, lane {@code 2j + 1} pair {@code j} of
 * {@code B}; on the way out each long lane gathers one pair's cosine and sine back into element order.
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

    static {
        for (int j = 0; j < LANE_GAMMAS.length; j++) {
            LANE_GAMMAS[j] = j * MaskStream.GOLDEN_GAMMA;
        }
    }

    private PanamaNormals() {}

    /** {@link #combine}'s mode: {@code y[i] = z}, the fill. */
    public static final int STORE = 0;
    /** {@link #combine}'s mode: {@code y[i] = x[i] * fma(c, z, 1f)}, gaussian dropout's float32 forward/backward. */
    public static final int MULTIPLY = 1;
    /** {@link #combine}'s mode: {@code y[i] = fma(c, z, x[i])}, gaussian noise's float32 forward. */
    public static final int ADD = 2;

    /**
     * {@link NormalStream#fill} without its argument checks (the caller has done them): called through a method
     * handle that {@link NormalStream} loads when the selected kernels are vector ones.
     */
    public static void fill(long seed, long offset, float[] out, int off, int len) {
        if (len == 0) {
            return;
        }
        if ((offset & 1) != 0) { // an odd start would split every pair across two steps: element 0 by itself
            out[off] = NormalStream.z(seed, offset);
            offset++;
            off++;
            len--;
        }
        for (int i = combine(STORE, seed, offset, null, 0, out, off, len, 0f); i < len; i++) {
            out[off + i] = NormalStream.z(seed, offset + i);
        }
    }

    /**
     * The whole steps of {@code len} elements from the even stream element {@code offset}, each step's normals
     * {@code z} used as {@code mode} says as soon as they are made (in registers: one pass over memory); the
     * caller does the rest, at most {@code 2F - 1} elements. In place ({@code y == x}, same offset) is safe: each
     * step reads its {@code x} before it writes {@code y}. Arguments are not checked here.
     *
     * @param mode        {@link #STORE}, {@link #MULTIPLY} or {@link #ADD} (ignores {@code x} when STORE)
     * @param coefficient {@code c}: sigma or the standard deviation
     * @return how many elements were done, a multiple of {@code 2F}
     */
    public static int combine(int mode, long seed, long offset, float[] x, int xOff, float[] y, int yOff, int len,
                              float coefficient) {
        LongVector counterA = LongVector.broadcast(LONGS, seed + ((offset >>> 1) + 1) * MaskStream.GOLDEN_GAMMA)
                .add(LongVector.fromArray(LONGS, LANE_GAMMAS, 0));
        final LongVector halfStep = LongVector.broadcast(LONGS, LONGS.length() * MaskStream.GOLDEN_GAMMA);
        final LongVector step = LongVector.broadcast(LONGS, 2L * LONGS.length() * MaskStream.GOLDEN_GAMMA);
        final FloatVector twoToMinus16 = FloatVector.broadcast(FLOATS, 0x1p-16f);
        final FloatVector logP1 = FloatVector.broadcast(FLOATS, NormalCoefficients.LOG_P1);
        final FloatVector ln2Hi = FloatVector.broadcast(FLOATS, NormalCoefficients.LN2_HI);
        final FloatVector ln2Lo = FloatVector.broadcast(FLOATS, NormalCoefficients.LN2_LO);
        final FloatVector cosC2 = FloatVector.broadcast(FLOATS, NormalCoefficients.COS_C2);
        final FloatVector cosC1 = FloatVector.broadcast(FLOATS, NormalCoefficients.COS_C1);
        final FloatVector one = FloatVector.broadcast(FLOATS, 1f);
        final FloatVector sinS1 = FloatVector.broadcast(FLOATS, NormalCoefficients.SIN_S1);
        final FloatVector sinS0 = FloatVector.broadcast(FLOATS, NormalCoefficients.SIN_S0);
        final FloatVector coef = FloatVector.broadcast(FLOATS, coefficient);
        int i = 0;
        for (int bound = len - 2 * LANES; i <= bound; i += 2 * LANES) {
            LongVector a = counterA;
            a = a.lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
            a = a.lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
            a = a.lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.LSHR, 31));
            LongVector b = counterA.add(halfStep);
            b = b.lanewise(VectorOperators.XOR, b.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
            b = b.lanewise(VectorOperators.XOR, b.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
            b = b.lanewise(VectorOperators.XOR, b.lanewise(VectorOperators.LSHR, 31));
            counterA = counterA.add(step);

            // Radius of every pair: v = lo | 1; u1 = RN(v / 2^32) by one fma.
            IntVector v = a.and(LOW_HALF).or(b.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts().or(1);
            FloatVector vHigh = (FloatVector) v.lanewise(VectorOperators.LSHR, 16).convert(VectorOperators.I2F, 0);
            FloatVector vLow = (FloatVector) v.and(0xffff).convert(VectorOperators.I2F, 0);
            FloatVector u1 = vHigh.fma(twoToMinus16, vLow.mul(0x1p-32f));

            // ln u1 = k ln 2 + ln(1 + f), 1 + f in [sqrt(1/2), sqrt(2)).
            IntVector ix = u1.reinterpretAsInts().sub(NormalCoefficients.SQRT_HALF_BITS);
            FloatVector k = (FloatVector) ix.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0);
            FloatVector f = ix.and(0x7fffff).add(NormalCoefficients.SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
            FloatVector s = f.div(f.add(2f));
            FloatVector s2 = s.mul(s);
            FloatVector r = s2.mul(s2.fma(NormalCoefficients.LOG_P3, NormalCoefficients.LOG_P2).fma(s2, logP1));
            FloatVector h = f.mul(0.5f).mul(f);
            FloatVector lnm = f.add(s.fma(h.add(r), h.neg()));
            FloatVector logU = k.fma(ln2Hi, k.fma(ln2Lo, lnm));
            FloatVector radius = logU.mul(-2f).lanewise(VectorOperators.SQRT);

            // Angle of every pair: t = hi >>> 6 (26 bits), centred = t + 2^23: quadrant and t in [-1, 1) (the reference's x).
            IntVector centred = a.lanewise(VectorOperators.LSHR, 32).or(b.and(~LOW_HALF)).reinterpretAsInts()
                    .lanewise(VectorOperators.LSHR, 6).add(1 << 23);
            IntVector quadrant = centred.lanewise(VectorOperators.LSHR, 24).and(3);
            FloatVector t = ((FloatVector) centred.and(0xffffff).sub(1 << 23).convert(VectorOperators.I2F, 0))
                    .mul(0x1p-23f);
            FloatVector t2 = t.mul(t);
            FloatVector c = t2.fma(NormalCoefficients.COS_C4, NormalCoefficients.COS_C3)
                    .fma(t2, cosC2).fma(t2, cosC1).fma(t2, one);
            FloatVector sn = t.mul(t2.fma(NormalCoefficients.SIN_S3, NormalCoefficients.SIN_S2)
                    .fma(t2, sinS1).fma(t2, sinS0));
            // Even element: quadrant q, cosine on even q, negative in q = 1, 2. Odd element: quadrant q - 1, so
            // the other polynomial, negative in q = 2, 3.
            VectorMask<Float> oddQuadrant = quadrant.and(1).compare(VectorOperators.NE, 0).cast(FLOATS);
            IntVector evenSign = quadrant.add(1).and(2).lanewise(VectorOperators.LSHL, 30);
            IntVector oddSign = quadrant.and(2).lanewise(VectorOperators.LSHL, 30);
            LongVector even = radius.mul(c.blend(sn, oddQuadrant).reinterpretAsInts()
                    .lanewise(VectorOperators.XOR, evenSign).reinterpretAsFloats()).reinterpretAsLongs();
            LongVector odd = radius.mul(sn.blend(c, oddQuadrant).reinterpretAsInts()
                    .lanewise(VectorOperators.XOR, oddSign).reinterpretAsFloats()).reinterpretAsLongs();

            // Back to element order: A's pair j (int lane 2j) to long lane j of the first vector, B's to the second.
            FloatVector z0 = even.and(LOW_HALF).or(odd.lanewise(VectorOperators.LSHL, 32)).reinterpretAsFloats();
            FloatVector z1 = even.lanewise(VectorOperators.LSHR, 32).or(odd.and(~LOW_HALF)).reinterpretAsFloats();
            if (mode == STORE) {
                z0.intoArray(y, yOff + i);
                z1.intoArray(y, yOff + i + LANES);
            } else if (mode == MULTIPLY) {
                FloatVector x0 = FloatVector.fromArray(FLOATS, x, xOff + i);
                FloatVector x1 = FloatVector.fromArray(FLOATS, x, xOff + i + LANES);
                x0.mul(z0.fma(coef, one)).intoArray(y, yOff + i);
                x1.mul(z1.fma(coef, one)).intoArray(y, yOff + i + LANES);
            } else {
                FloatVector x0 = FloatVector.fromArray(FLOATS, x, xOff + i);
                FloatVector x1 = FloatVector.fromArray(FLOATS, x, xOff + i + LANES);
                z0.fma(coef, x0).intoArray(y, yOff + i);
                z1.fma(coef, x1).intoArray(y, yOff + i + LANES);
            }
        }
        return i;
    }
}
