package dev.vecdrop.vector;

import dev.vecdrop.MaskStream;
import dev.vecdrop.kernel.FusedFloatKernels;
import dev.vecdrop.scalar.ScalarFusedFloatKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The fused float32 kernels on the Vector API, bit-identical to {@link ScalarFusedFloatKernels}: the same float
 * operations in the same order, lane by lane. Keep masks are made as in {@link VectorFloatArrayKernels}: one vector
 * of {@code L / 2} SplitMix64 words gives the {@code L} uniforms of a vector starting at an even stream position.
 *
 * <p>The bias kernels run row by row, so the bias is one contiguous vector load per column block: a row whose first
 * stream element is odd does its column 0 on the reference, then vectors from column 1; each row's last
 * {@code features mod L} columns (fewer than a vector) run on the reference. With {@code features < L} everything
 * runs on the reference. The mask bits of a vector may straddle two words; they are OR-ed into words the call
 * cleared first.
 *
 * <p>All vector values live inside one method (no vectors passed across methods): a helper taking or returning
 * vectors may be compiled on its own and box on every call.
 *
 * <p>Hand-written (not generated), float32 arrays only. Thread-safety: stateless. Allocation: none once C2 has
 * compiled the kernels.
 */
final class VectorFusedFloatKernels implements FusedFloatKernels {

    static final VectorFusedFloatKernels INSTANCE = new VectorFusedFloatKernels();

    private static final int LANES = Species.FLOATS.length();
    private static final int RELU = ScalarFusedFloatKernels.RELU;
    private static final int LEAKY_RELU = ScalarFusedFloatKernels.LEAKY_RELU;

    private VectorFusedFloatKernels() {}

    @Override
    public void biasActForward(long seed, long streamOffset, long threshold, float scale, int act, float alpha,
                               float[] x, int xOff, float[] bias, int biasOff, float[] y, int yOff,
                               long[] mask, int maskOff, int rows, int features) {
        if (mask != null) {
            for (int w = 0, words = (int) (((long) rows * features + 63) >>> 6); w < words; w++) {
                mask[maskOff + w] = 0L;
            }
        }
        final LongVector step = LongVector.broadcast(Species.FLOAT_WORDS, Species.FLOAT_WORDS.length() * MaskStream.GOLDEN_GAMMA);
        // keep <=> u <u T <=> (u ^ 2^31) <s (T - 2^31); the flip of u is folded into the last xor of mix64.
        final IntVector flippedThreshold = IntVector.broadcast(Species.FLOAT_UNIFORMS, (int) (threshold - 0x8000_0000L));
        final FloatVector zero = FloatVector.zero(Species.FLOATS);
        // T = 2^32 (p = 0) keeps everything, but T - 2^31 does not fit an int: the compare alone would keep nothing.
        final VectorMask<Float> keepAll = Species.FLOATS.maskAll(threshold == MaskStream.KEEP_ALL);
        final LongVector gammas = LongVector.fromArray(Species.FLOAT_WORDS, LaneTables.GAMMAS, 0);
        for (int r = 0; r < rows; r++) {
            int base = r * features;
            int j = 0;
            if (((streamOffset + base) & 1) != 0 && features > 0) { // an odd start would split words: see class comment
                ScalarFusedFloatKernels.biasActForwardRange(seed, streamOffset, threshold, scale, act, alpha,
                        x, xOff, bias, biasOff, y, yOff, mask, maskOff, base, 0, 1);
                j = 1;
            }
            // Counter of word m of the first block: seed + (k + 1 + m) * GAMMA with k = (stream element) / 2.
            LongVector counter = LongVector.broadcast(Species.FLOAT_WORDS,
                    seed + (((streamOffset + base + j) >>> 1) + 1) * MaskStream.GOLDEN_GAMMA).add(gammas);
            for (; j <= features - LANES; j += LANES) {
                LongVector z = counter;
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31))
                        .lanewise(VectorOperators.XOR, LaneTables.SIGN_BITS);
                VectorMask<Float> keep = z.reinterpretAsInts().compare(VectorOperators.LT, flippedThreshold)
                        .cast(Species.FLOATS).or(keepAll);
                counter = counter.add(step);
                int i = base + j;
                FloatVector pre = FloatVector.fromArray(Species.FLOATS, x, xOff + i)
                        .add(FloatVector.fromArray(Species.FLOATS, bias, biasOff + j));
                FloatVector a;
                if (act == RELU) {
                    a = pre.blend(zero, pre.compare(VectorOperators.LE, 0f));
                } else if (act == LEAKY_RELU) {
                    a = pre.blend(pre.mul(alpha), pre.compare(VectorOperators.LT, 0f));
                } else {
                    a = pre;
                }
                zero.blend(a.mul(scale), keep).intoArray(y, yOff + i);
                if (mask != null) {
                    long bits = keep.toLong();
                    int w = maskOff + (i >>> 6);
                    int shift = i & 63;
                    mask[w] |= bits << shift;
                    if (shift + LANES > 64) {
                        mask[w + 1] |= bits >>> (64 - shift);
                    }
                }
            }
            ScalarFusedFloatKernels.biasActForwardRange(seed, streamOffset, threshold, scale, act, alpha,
                    x, xOff, bias, biasOff, y, yOff, mask, maskOff, base, j, features);
        }
    }

    @Override
    public void biasActBackward(long seed, long streamOffset, long threshold, float scale, int act, float alpha,
                                float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff,
                                float[] dBias, int dBiasOff, int rows, int features) {
        if (dBias != null) {
            for (int j = 0; j < features; j++) {
                dBias[dBiasOff + j] = 0f;
            }
        }
        final LongVector step = LongVector.broadcast(Species.FLOAT_WORDS, Species.FLOAT_WORDS.length() * MaskStream.GOLDEN_GAMMA);
        final IntVector flippedThreshold = IntVector.broadcast(Species.FLOAT_UNIFORMS, (int) (threshold - 0x8000_0000L));
        final FloatVector zero = FloatVector.zero(Species.FLOATS);
        // T = 2^32 (p = 0) keeps everything, but T - 2^31 does not fit an int: the compare alone would keep nothing.
        final VectorMask<Float> keepAll = Species.FLOATS.maskAll(threshold == MaskStream.KEEP_ALL);
        final LongVector gammas = LongVector.fromArray(Species.FLOAT_WORDS, LaneTables.GAMMAS, 0);
        for (int r = 0; r < rows; r++) {
            int base = r * features;
            int j = 0;
            if (((streamOffset + base) & 1) != 0 && features > 0) {
                ScalarFusedFloatKernels.biasActBackwardRange(seed, streamOffset, threshold, scale, act, alpha,
                        y, yOff, dy, dyOff, dx, dxOff, dBias, dBiasOff, base, 0, 1);
                j = 1;
            }
            LongVector counter = LongVector.broadcast(Species.FLOAT_WORDS,
                    seed + (((streamOffset + base + j) >>> 1) + 1) * MaskStream.GOLDEN_GAMMA).add(gammas);
            for (; j <= features - LANES; j += LANES) {
                LongVector z = counter;
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31))
                        .lanewise(VectorOperators.XOR, LaneTables.SIGN_BITS);
                VectorMask<Float> keep = z.reinterpretAsInts().compare(VectorOperators.LT, flippedThreshold)
                        .cast(Species.FLOATS).or(keepAll);
                counter = counter.add(step);
                int i = base + j;
                FloatVector g = FloatVector.fromArray(Species.FLOATS, dy, dyOff + i).mul(scale);
                FloatVector d;
                if (act == RELU) {
                    FloatVector yv = FloatVector.fromArray(Species.FLOATS, y, yOff + i);
                    d = zero.blend(g, keep.and(yv.compare(VectorOperators.GT, 0f)));
                } else if (act == LEAKY_RELU) {
                    FloatVector yv = FloatVector.fromArray(Species.FLOATS, y, yOff + i);
                    d = zero.blend(g.blend(g.mul(alpha), yv.compare(VectorOperators.GT, 0f).not()), keep);
                } else {
                    d = zero.blend(g, keep);
                }
                d.intoArray(dx, dxOff + i);
                if (dBias != null) {
                    FloatVector.fromArray(Species.FLOATS, dBias, dBiasOff + j).add(d)
                            .intoArray(dBias, dBiasOff + j);
                }
            }
            ScalarFusedFloatKernels.biasActBackwardRange(seed, streamOffset, threshold, scale, act, alpha,
                    y, yOff, dy, dyOff, dx, dxOff, dBias, dBiasOff, base, j, features);
        }
    }

    @Override
    public void residualForward(long seed, long streamOffset, long threshold, float scale,
                                float[] x, int xOff, float[] residual, int rOff, float[] y, int yOff, int length) {
        int i = 0;
        if ((streamOffset & 1) != 0 && length > 0) { // an odd start would split every word across two vectors
            ScalarFusedFloatKernels.residualForwardRange(seed, streamOffset, threshold, scale,
                    x, xOff, residual, rOff, y, yOff, 0, 1);
            i = 1;
        }
        LongVector counter = LongVector.broadcast(Species.FLOAT_WORDS,
                        seed + (((streamOffset + i) >>> 1) + 1) * MaskStream.GOLDEN_GAMMA)
                .add(LongVector.fromArray(Species.FLOAT_WORDS, LaneTables.GAMMAS, 0));
        final LongVector step = LongVector.broadcast(Species.FLOAT_WORDS, Species.FLOAT_WORDS.length() * MaskStream.GOLDEN_GAMMA);
        final IntVector flippedThreshold = IntVector.broadcast(Species.FLOAT_UNIFORMS, (int) (threshold - 0x8000_0000L));
        final FloatVector zero = FloatVector.zero(Species.FLOATS);
        // T = 2^32 (p = 0) keeps everything, but T - 2^31 does not fit an int: the compare alone would keep nothing.
        final VectorMask<Float> keepAll = Species.FLOATS.maskAll(threshold == MaskStream.KEEP_ALL);
        for (; i <= length - LANES; i += LANES) {
            LongVector z = counter;
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(MaskStream.MIX_MULTIPLIER_1);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(MaskStream.MIX_MULTIPLIER_2);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31))
                    .lanewise(VectorOperators.XOR, LaneTables.SIGN_BITS);
            VectorMask<Float> keep = z.reinterpretAsInts().compare(VectorOperators.LT, flippedThreshold)
                    .cast(Species.FLOATS).or(keepAll);
            counter = counter.add(step);
            FloatVector v = FloatVector.fromArray(Species.FLOATS, x, xOff + i).mul(scale);
            FloatVector.fromArray(Species.FLOATS, residual, rOff + i).add(zero.blend(v, keep))
                    .intoArray(y, yOff + i);
        }
        ScalarFusedFloatKernels.residualForwardRange(seed, streamOffset, threshold, scale,
                x, xOff, residual, rOff, y, yOff, i, length);
    }
}
