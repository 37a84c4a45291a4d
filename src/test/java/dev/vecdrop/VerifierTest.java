package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.verify.Verifier;
import dev.vecdrop.kernel.DropoutKernels;
import static dev.vecdrop.kernel.FloatSegmentKernels.ELEMENT;
import static dev.vecdrop.kernel.FloatSegmentKernels.WORD;

import dev.vecdrop.kernel.DoubleArrayKernels;
import dev.vecdrop.kernel.DoubleSegmentKernels;
import dev.vecdrop.kernel.FloatArrayKernels;
import dev.vecdrop.kernel.FloatSegmentKernels;
import dev.vecdrop.kernel.ForwardingDoubleArrayKernels;
import dev.vecdrop.kernel.ForwardingDoubleSegmentKernels;
import dev.vecdrop.kernel.ForwardingFloatArrayKernels;
import dev.vecdrop.kernel.ForwardingFloatSegmentKernels;
import java.lang.foreign.MemorySegment;
import dev.vecdrop.scalar.ScalarFloatArrayKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The verifier must catch a broken kernel: each fault here is one a vector kernel could plausibly have. */
class VerifierTest {

    /**
     * The faulty runs stop at 4,097 elements: every fault here shows on a short case (an odd offset, a tail, a word
     * end, a form every 8th case), and the two longer lengths, which run the same loops, only delay the first
     * mismatch (they are half of a run's elements).
     */
    private static final int FAULT_RUN_MAX_LENGTH = 4097;

    enum Fault {
        /** One value wrong in the last element, only when the stream offset is odd. */
        ODD_OFFSET_TAIL,
        /** Writes one element past the end of the output region. */
        WRITES_PAST_END,
        /** Forgets the last mask bit when length % 64 == 63. */
        MASK_BIT_AT_WORD_END,
        /** Backward from bits reads bit i + 1 for one element. */
        BACKWARD_OFF_BY_ONE_BIT,
        /** Eval multiplies by a scale one ulp off. */
        EVAL_ONE_ULP,
        /**
         * Out of place, also zeroes the dropped elements of its input, as if it were in-place: train writes into
         * {@code x}, backward from bits into {@code src}. Every output is still right, even for a later call
         * that reads the changed input, since dropped elements come out {@code +0.0f} whatever they were.
         */
        WRITES_INTO_INPUT,
        /** Alpha dropout's forward computes kept elements with one fma instead of a multiply, then an add. */
        ALPHA_FUSED_MULTIPLY_ADD
    }

    /** The reference with one fault injected. */
    private static DropoutKernels faulty(Fault fault) {
        return DropoutKernels.SCALAR.withFloatArrays("faulty-" + fault,
                new ForwardingFloatArrayKernels(ScalarFloatArrayKernels.INSTANCE) {
                    @Override
                    public void forward(long seed, long streamOffset, long threshold, float scale, float[] x,
                                        int xOff, float[] y, int yOff, int length) {
                        super.forward(seed, streamOffset, threshold, scale, x, xOff, y, yOff, length);
                        afterForward(fault, seed, streamOffset, threshold, x, xOff, y, yOff, length);
                    }

                    @Override
                    public void forwardMasked(long seed, long streamOffset, long threshold, float scale, float[] x,
                                              int xOff, float[] y, int yOff, long[] mask, int maskOff, int length) {
                        super.forwardMasked(seed, streamOffset, threshold, scale, x, xOff, y, yOff, mask, maskOff,
                                length);
                        afterForward(fault, seed, streamOffset, threshold, x, xOff, y, yOff, length);
                        afterMask(fault, mask, maskOff, length);
                    }

                    @Override
                    public void forwardAffine(long seed, long streamOffset, long threshold, float a, float b, float c,
                                              float[] x, int xOff, float[] y, int yOff, int length) {
                        super.forwardAffine(seed, streamOffset, threshold, a, b, c, x, xOff, y, yOff, length);
                        for (int i = 0; fault == Fault.ALPHA_FUSED_MULTIPLY_ADD && i < length; i++) {
                            if (MaskStream.keep(seed, streamOffset + i, threshold)) {
                                y[yOff + i] = Math.fma(x[xOff + i], a, b);
                            }
                        }
                    }

                    @Override
                    public void forwardMaskOnly(long seed, long streamOffset, long threshold, long[] mask,
                                                int maskOff, int length) {
                        super.forwardMaskOnly(seed, streamOffset, threshold, mask, maskOff, length);
                        afterMask(fault, mask, maskOff, length);
                    }

                    @Override
                    public void applyMask(long[] mask, int maskOff, float scale, float[] src, int srcOff,
                                          float[] dst, int dstOff, int length) {
                        super.applyMask(mask, maskOff, scale, src, srcOff, dst, dstOff, length);
                        if (fault == Fault.BACKWARD_OFF_BY_ONE_BIT && length > 40) {
                            boolean bit18 = ((mask[maskOff] >>> 18) & 1) != 0;
                            dst[dstOff + 17] = bit18 ? src[srcOff + 17] * scale : 0.0f;
                        }
                        if (fault == Fault.WRITES_INTO_INPUT && src != dst) {
                            for (int i = 0; i < length; i++) {
                                if ((mask[maskOff + (i >>> 6)] >>> (i & 63) & 1) == 0) {
                                    src[srcOff + i] = 0.0f;
                                }
                            }
                        }
                    }

                    @Override
                    public void scale(float c, float[] x, int xOff, float[] y, int yOff, int length) {
                        super.scale(fault == Fault.EVAL_ONE_ULP ? Math.nextUp(c) : c, x, xOff, y, yOff, length);
                    }
                });
    }

    private static void afterForward(Fault fault, long seed, long streamOffset, long threshold, float[] x, int xOff,
                                     float[] y, int yOff, int length) {
        if (fault == Fault.ODD_OFFSET_TAIL && (streamOffset & 1) == 1 && length > 20) {
            y[yOff + length - 1] = 1234.5f;
        }
        if (fault == Fault.WRITES_PAST_END && length > 100) {
            y[yOff + length] = 0.0f;
        }
        if (fault == Fault.WRITES_INTO_INPUT && x != y) {
            for (int i = 0; i < length; i++) {
                if (!MaskStream.keep(seed, streamOffset + i, threshold)) {
                    x[xOff + i] = 0.0f;
                }
            }
        }
    }

    private static void afterMask(Fault fault, long[] mask, int maskOff, int length) {
        if (fault == Fault.MASK_BIT_AT_WORD_END && length % 64 == 63) {
            mask[maskOff + length / 64] &= ~(1L << 62);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aBrokenKernelIsCaught(Fault fault) {
        Verifier verifier = new Verifier((p, s) -> Dropout.of(p, s).withKernels(faulty(fault)),
                (p, s) -> Dropout.of(p, s).scalarReference()).stoppingAtFirstMismatch()
                .upToLength(FAULT_RUN_MAX_LENGTH);
        Verifier.Report report = verifier.run(null);
        assertFalse(report.passed(), fault + " went unnoticed");
        assertTrue(report.firstMismatch() != null && !report.firstMismatch().isBlank());
        if (fault == Fault.WRITES_INTO_INPUT) { // every output is right: only the input check can see it
            assertTrue(report.firstMismatch().startsWith("candidate wrote into its input"), report.firstMismatch());
        }
    }

    /** A fault in one of the other forms' kernels: each form's paths must be checked, not only float32 arrays. */
    enum FormFault {
        /** float64 arrays: the last element of a forward a ulp off. */
        DOUBLE_ARRAY_FORWARD_LAST_ELEMENT,
        /** float32 segments: the mask alone loses bit 5 of its first word. */
        FLOAT_SEGMENT_MASK_BIT,
        /** float32 segments: the masked forward writes one element before its output region. */
        FLOAT_SEGMENT_WRITES_BEFORE_OUTPUT,
        /** float64 segments: a stored mask applied one element short. */
        DOUBLE_SEGMENT_BACKWARD_SHORT,
        /** float64 segments: eval by a scale one ulp off. */
        DOUBLE_SEGMENT_EVAL_ONE_ULP,
        /** float32 arrays: zeroing one element short (only dropped channels, and p = 1, zero whole runs). */
        FLOAT_ARRAY_ZERO_ONE_SHORT,
        /** float64 segments: alpha dropout's word kernel writes {@code +0.0}, not {@code c}, for dropped elements. */
        DOUBLE_SEGMENT_ALPHA_DROPS_TO_ZERO,
        /**
         * float32 segments over a {@code float[]} only (the vector kernels' exact-class path): the forward's last
         * element a ulp off. Caught only if the verifier's heap segments include such segments.
         */
        FLOAT_TYPED_HEAP_SEGMENT_FORWARD,
        /** The same over a {@code double[]}, float64. */
        DOUBLE_TYPED_HEAP_SEGMENT_FORWARD,
        /**
         * float32 segments over a {@code byte[]} only (the vector kernels' twin over bytes): the forward's last
         * element a ulp off. Caught only if the verifier's segments include such segments.
         */
        FLOAT_BYTES_HEAP_SEGMENT_FORWARD,
        /** float64 segments over a {@code float[]} only (the twin over floats), likewise. */
        DOUBLE_FLOATS_HEAP_SEGMENT_FORWARD
    }

    /** Whether {@code s} is a heap segment over an array of {@code type} (what {@code MemorySegment.ofArray} makes). */
    private static boolean over(MemorySegment s, Class<?> type) {
        return s.heapBase().map(base -> base.getClass() == type).orElse(false);
    }

    private static DropoutKernels faulty(FormFault fault) {
        DropoutKernels ref = DropoutKernels.SCALAR;
        DoubleArrayKernels doubleArrays = new ForwardingDoubleArrayKernels(ref.doubleArrays()) {
            @Override
            public void forward(long seed, long streamOffset, long threshold, double scale, double[] x, int xOff,
                                double[] y, int yOff, int length) {
                super.forward(seed, streamOffset, threshold, scale, x, xOff, y, yOff, length);
                if (fault == FormFault.DOUBLE_ARRAY_FORWARD_LAST_ELEMENT && length > 0) {
                    y[yOff + length - 1] = Math.nextUp(y[yOff + length - 1]);
                }
            }
        };
        FloatSegmentKernels floatSegments = new ForwardingFloatSegmentKernels(ref.floatSegments()) {
            @Override
            public void forwardMaskOnly(long seed, long streamOffset, long threshold, MemorySegment mask, long maskOff,
                                        long length) {
                super.forwardMaskOnly(seed, streamOffset, threshold, mask, maskOff, length);
                if (fault == FormFault.FLOAT_SEGMENT_MASK_BIT && length > 5) {
                    mask.setAtIndex(WORD, maskOff, mask.getAtIndex(WORD, maskOff) & ~(1L << 5));
                }
            }

            @Override
            public void forwardMasked(long seed, long streamOffset, long threshold, float scale, MemorySegment x,
                                      long xOff, MemorySegment y, long yOff, MemorySegment mask, long maskOff,
                                      long length) {
                super.forwardMasked(seed, streamOffset, threshold, scale, x, xOff, y, yOff, mask, maskOff, length);
                if (fault == FormFault.FLOAT_SEGMENT_WRITES_BEFORE_OUTPUT && length > 10 && yOff > 0) {
                    y.setAtIndex(ELEMENT, yOff - 1, 0.0f);
                }
            }

            @Override
            public void forward(long seed, long streamOffset, long threshold, float scale, MemorySegment x, long xOff,
                                MemorySegment y, long yOff, long length) {
                super.forward(seed, streamOffset, threshold, scale, x, xOff, y, yOff, length);
                if (length > 0 && (fault == FormFault.FLOAT_TYPED_HEAP_SEGMENT_FORWARD && over(y, float[].class)
                        || fault == FormFault.FLOAT_BYTES_HEAP_SEGMENT_FORWARD && over(y, byte[].class))) {
                    long last = yOff + length - 1;
                    y.setAtIndex(ELEMENT, last, Math.nextUp(y.getAtIndex(ELEMENT, last)));
                }
            }
        };
        DoubleSegmentKernels doubleSegments = new ForwardingDoubleSegmentKernels(ref.doubleSegments()) {
            @Override
            public void applyWord(long bits, double scale, MemorySegment src, long srcOff, MemorySegment dst,
                                  long dstOff, int length) {
                boolean shorten = fault == FormFault.DOUBLE_SEGMENT_BACKWARD_SHORT && length == 64;
                super.applyWord(bits, scale, src, srcOff, dst, dstOff, shorten ? 63 : length);
            }

            @Override
            public void applyWordAffine(long bits, double a, double b, double c, MemorySegment src, long srcOff,
                                        MemorySegment dst, long dstOff, int length) {
                boolean zero = fault == FormFault.DOUBLE_SEGMENT_ALPHA_DROPS_TO_ZERO;
                super.applyWordAffine(bits, a, b, zero ? 0.0 : c, src, srcOff, dst, dstOff, length);
            }

            @Override
            public void scale(double c, MemorySegment x, long xOff, MemorySegment y, long yOff, long length) {
                super.scale(fault == FormFault.DOUBLE_SEGMENT_EVAL_ONE_ULP ? Math.nextUp(c) : c, x, xOff, y, yOff,
                        length);
            }

            @Override
            public void forward(long seed, long streamOffset, long threshold, double scale, MemorySegment x,
                                long xOff, MemorySegment y, long yOff, long length) {
                super.forward(seed, streamOffset, threshold, scale, x, xOff, y, yOff, length);
                if (length > 0 && (fault == FormFault.DOUBLE_TYPED_HEAP_SEGMENT_FORWARD && over(y, double[].class)
                        || fault == FormFault.DOUBLE_FLOATS_HEAP_SEGMENT_FORWARD && over(y, float[].class))) {
                    long last = yOff + length - 1;
                    y.setAtIndex(DoubleSegmentKernels.ELEMENT, last,
                            Math.nextUp(y.getAtIndex(DoubleSegmentKernels.ELEMENT, last)));
                }
            }
        };
        FloatArrayKernels floatArrays = new ForwardingFloatArrayKernels(ref.floatArrays()) {
            @Override
            public void zero(float[] y, int yOff, int length) {
                boolean shorten = fault == FormFault.FLOAT_ARRAY_ZERO_ONE_SHORT && length > 1;
                super.zero(y, yOff, shorten ? length - 1 : length);
            }
        };
        return new DropoutKernels("faulty-" + fault, 0, floatArrays, doubleArrays, floatSegments, doubleSegments);
    }

    @ParameterizedTest
    @EnumSource(FormFault.class)
    void aBrokenKernelOfAnotherFormIsCaught(FormFault fault) {
        Verifier verifier = new Verifier((p, s) -> Dropout.of(p, s).withKernels(faulty(fault)),
                (p, s) -> Dropout.of(p, s).scalarReference()).stoppingAtFirstMismatch()
                .upToLength(FAULT_RUN_MAX_LENGTH);
        Verifier.Report report = verifier.run(null);
        assertFalse(report.passed(), fault + " went unnoticed");
        assertTrue(report.firstMismatch() != null && !report.firstMismatch().isBlank());
    }

    /** {@code upToLength(m)} runs lengths 0..m of every case kind: three times the cases of lengths 0 only, at 2. */
    @Test
    void upToLengthRunsTheShorterCasesOnly() {
        long lengthZero = Verifier.activeAgainstReference().upToLength(0).run(null).cases();
        long upToTwo = Verifier.activeAgainstReference().upToLength(2).run(null).cases();
        assertTrue(lengthZero > 0, "no case ran");
        org.junit.jupiter.api.Assertions.assertEquals(3 * lengthZero, upToTwo);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Verifier.activeAgainstReference().upToLength(-1));
    }

    /** Faults in the fused kernels ({@link FusedDropout}), which the verifier runs against the fused reference. */
    enum FusedFault {
        /** Leaky ReLU's negative slope a ulp off in the forward (only negative pre-activations show it). */
        LEAKY_SLOPE_ONE_ULP,
        /** The first bias gradient a ulp off where there are at least three rows. */
        BIAS_GRADIENT_ONE_ULP,
        /** The residual forward leaves the residual out of its last element. */
        RESIDUAL_LAST_ELEMENT_WITHOUT_RESIDUAL
    }

    private static DropoutKernels faulty(FusedFault fault) {
        FloatArrayKernels broken = new ForwardingFloatArrayKernels(DropoutKernels.SCALAR.floatArrays()) {
            @Override
            public void biasActForward(long seed, long streamOffset, long threshold, float scale, int act,
                                       float alpha, float[] x, int xOff, float[] bias, int biasOff, float[] y,
                                       int yOff, long[] mask, int maskOff, int rows, int features) {
                float slope = fault == FusedFault.LEAKY_SLOPE_ONE_ULP ? Math.nextUp(alpha) : alpha;
                super.biasActForward(seed, streamOffset, threshold, scale, act, slope, x, xOff, bias, biasOff, y,
                        yOff, mask, maskOff, rows, features);
            }

            @Override
            public void biasActBackward(long seed, long streamOffset, long threshold, float scale, int act,
                                        float alpha, float[] y, int yOff, float[] dy, int dyOff, float[] dx,
                                        int dxOff, float[] dBias, int dBiasOff, int rows, int features) {
                super.biasActBackward(seed, streamOffset, threshold, scale, act, alpha, y, yOff, dy, dyOff, dx,
                        dxOff, dBias, dBiasOff, rows, features);
                if (fault == FusedFault.BIAS_GRADIENT_ONE_ULP && dBias != null && rows >= 3) {
                    dBias[dBiasOff] = Math.nextUp(dBias[dBiasOff]);
                }
            }

            @Override
            public void residualForward(long seed, long streamOffset, long threshold, float scale, float[] x,
                                        int xOff, float[] residual, int rOff, float[] y, int yOff, int length) {
                super.residualForward(seed, streamOffset, threshold, scale, x, xOff, residual, rOff, y, yOff, length);
                if (fault == FusedFault.RESIDUAL_LAST_ELEMENT_WITHOUT_RESIDUAL && length > 0) {
                    int last = length - 1;
                    boolean keep = MaskStream.keep(seed, streamOffset + last, threshold);
                    y[yOff + last] = keep ? x[xOff + last] * scale : 0.0f;
                }
            }
        };
        return DropoutKernels.SCALAR.withFloatArrays("faulty-" + fault, broken);
    }

    @ParameterizedTest
    @EnumSource(FusedFault.class)
    void aBrokenFusedKernelIsCaught(FusedFault fault) {
        Verifier verifier = new Verifier((p, s) -> Dropout.of(p, s).withKernels(faulty(fault)),
                (p, s) -> Dropout.of(p, s).scalarReference()).stoppingAtFirstMismatch()
                .upToLength(FAULT_RUN_MAX_LENGTH);
        Verifier.Report report = verifier.run(null);
        assertFalse(report.passed(), fault + " went unnoticed");
        assertTrue(report.firstMismatch().startsWith("fused"), report.firstMismatch());
    }

    /** Faults a vector normal fill could plausibly have. */
    enum NormalFault {
        /** An odd start taken as the even one before it: every value shifted by one (a pair misaligned). */
        ODD_START_PAIR_SHIFTED,
        /** The last value of a fill longer than 16 a ulp off (a vector tail gone wrong). */
        LAST_VALUE_ONE_ULP,
        /** Writes one value past the end of its region. */
        WRITES_PAST_END
    }

    private static Verifier.NormalFill faulty(NormalFault fault) {
        return (seed, offset, out, off, len) -> {
            if (fault == NormalFault.ODD_START_PAIR_SHIFTED && (offset & 1) == 1 && len > 1) {
                NormalStream.fill(seed, offset - 1, out, off, len);
                return;
            }
            NormalStream.fill(seed, offset, out, off, len);
            if (fault == NormalFault.LAST_VALUE_ONE_ULP && len > 16) {
                out[off + len - 1] = Math.nextUp(out[off + len - 1]);
            }
            if (fault == NormalFault.WRITES_PAST_END && len > 100) {
                out[off + len] = 0.0f;
            }
        };
    }

    @ParameterizedTest
    @EnumSource(NormalFault.class)
    void aBrokenNormalFillIsCaught(NormalFault fault) {
        Verifier verifier = Verifier.activeAgainstReference().withNormalFill(faulty(fault)).stoppingAtFirstMismatch()
                .upToLength(FAULT_RUN_MAX_LENGTH);
        Verifier.Report report = verifier.run(null);
        assertFalse(report.passed(), fault + " went unnoticed");
        assertTrue(report.firstMismatch().startsWith("normal fill"), report.firstMismatch());
    }
}
