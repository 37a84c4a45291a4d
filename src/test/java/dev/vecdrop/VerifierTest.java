package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.verify.Verifier;
import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.scalar.ScalarDropoutKernels;
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
    private record Faulty(Fault fault) implements DropoutKernels {
        private static final ScalarDropoutKernels REF = ScalarDropoutKernels.INSTANCE;

        public String name() {
            return "faulty-" + fault;
        }

        public int vectorBitSize() {
            return 0;
        }

        public void train(long seed, long streamOffset, long threshold, boolean scaled, float scale, float[] x,
                          int xOff, float[] y, int yOff, int length, long[] mask, int maskOff) {
            REF.train(seed, streamOffset, threshold, scaled, scale, x, xOff, y, yOff, length, mask, maskOff);
            if (fault == Fault.ODD_OFFSET_TAIL && x != null && (streamOffset & 1) == 1 && length > 20) {
                y[yOff + length - 1] = 1234.5f;
            }
            if (fault == Fault.WRITES_PAST_END && x != null && length > 100) {
                y[yOff + length] = 0.0f;
            }
            if (fault == Fault.MASK_BIT_AT_WORD_END && mask != null && length % 64 == 63) {
                mask[maskOff + length / 64] &= ~(1L << 62);
            }
            if (fault == Fault.WRITES_INTO_INPUT && x != null && x != y) {
                for (int i = 0; i < length; i++) {
                    if (!MaskStream.keep(seed, streamOffset + i, threshold)) {
                        x[xOff + i] = 0.0f;
                    }
                }
            }
        }

        public void applyMask(long[] mask, int maskOff, boolean scaled, float scale, float[] src, int srcOff,
                              float[] dst, int dstOff, int length) {
            REF.applyMask(mask, maskOff, scaled, scale, src, srcOff, dst, dstOff, length);
            if (fault == Fault.BACKWARD_OFF_BY_ONE_BIT && length > 40) {
                boolean bit18 = ((mask[maskOff] >>> 18) & 1) != 0;
                dst[dstOff + 17] = bit18 ? (scaled ? src[srcOff + 17] * scale : src[srcOff + 17]) : 0.0f;
            }
            if (fault == Fault.WRITES_INTO_INPUT && src != dst) {
                for (int i = 0; i < length; i++) {
                    if ((mask[maskOff + (i >>> 6)] >>> (i & 63) & 1) == 0) {
                        src[srcOff + i] = 0.0f;
                    }
                }
            }
        }

        public void scale(float c, float[] x, int xOff, float[] y, int yOff, int length) {
            REF.scale(fault == Fault.EVAL_ONE_ULP ? Math.nextUp(c) : c, x, xOff, y, yOff, length);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aBrokenKernelIsCaught(Fault fault) {
        Verifier verifier = new Verifier((p, s) -> Dropout.of(p, s).withKernels(new Faulty(fault)),
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
