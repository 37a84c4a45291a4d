package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.verify.Verifier;
import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.kernel.ForwardingFloatArrayKernels;
import dev.vecdrop.scalar.ScalarFloatArrayKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The verifier must catch a broken kernel: each fault here is one a vector kernel could plausibly have. */
class VerifierTest {

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
        WRITES_INTO_INPUT
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
                (p, s) -> Dropout.of(p, s).scalarReference()).stoppingAtFirstMismatch();
        Verifier.Report report = verifier.run(null);
        assertFalse(report.passed(), fault + " went unnoticed");
        assertTrue(report.firstMismatch() != null && !report.firstMismatch().isBlank());
        if (fault == Fault.WRITES_INTO_INPUT) { // every output is right: only the input check can see it
            assertTrue(report.firstMismatch().startsWith("candidate wrote into its input"), report.firstMismatch());
        }
    }

    @Test
    void theReferenceAgreesWithItself() {
        Verifier.Report report = new Verifier((p, s) -> Dropout.of(p, s).scalarReference(),
                (p, s) -> Dropout.of(p, s).scalarReference()).run(null);
        assertTrue(report.passed(), report.firstMismatch());
        assertTrue(report.cases() > 0);
    }
}
