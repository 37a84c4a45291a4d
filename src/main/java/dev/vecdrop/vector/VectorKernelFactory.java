package dev.vecdrop.vector;

import dev.vecdrop.kernel.DropoutKernels;
import dev.vecdrop.kernel.KernelChoice;
import dev.vecdrop.kernel.WidthChoice;
import dev.vecdrop.kernel.WidthRequest;

/**
 * The vector kernels at {@link Species#BITS}, as one {@link DropoutKernels}: the only class the selector loads
 * reflectively, so the rest of the library links without {@code jdk.incubator.vector}.
 *
 * <p>Thread-safety: stateless. Allocation: one record per call (called once, at start-up).
 */
public final class VectorKernelFactory {

    /** The narrowest width whose float64 kernels are vector code: their words need a 2-lane LongVector. */
    static final int MIN_DOUBLE_BITS = 256;

    private VectorKernelFactory() {}

    /**
     * Called reflectively by the selector: these kernels at {@link Species#BITS}, or the scalar reference when
     * this CPU has no width the kernels run ({@link WidthChoice#chooseBits}), with the reason either way.
     */
    public static KernelChoice create() {
        String reason = WidthChoice.reason(WidthRequest.BITS, Species.HARDWARE_BITS);
        if (Species.BITS == WidthChoice.NONE) {
            return new KernelChoice(DropoutKernels.SCALAR, reason);
        }
        // A 128-bit vector holds 2 doubles, whose uniforms are one 64-bit word: a 1-lane LongVector, which C2 does
        // not compile to vector code, so every operation would box (measured: 460 KB per 4K-element call). At
        // 128 bits float64 runs on the reference instead, and says so.
        boolean doubleVectors = Species.BITS >= MIN_DOUBLE_BITS;
        return new KernelChoice(new DropoutKernels("vector-" + Species.BITS, Species.BITS,
                VectorFloatArrayKernels.INSTANCE,
                doubleVectors ? VectorDoubleArrayKernels.INSTANCE : DropoutKernels.SCALAR.doubleArrays(),
                VectorFloatSegmentKernels.INSTANCE,
                doubleVectors ? VectorDoubleSegmentKernels.INSTANCE : DropoutKernels.SCALAR.doubleSegments()),
                doubleVectors ? reason : reason + "; float64 dropout on the scalar reference below " + MIN_DOUBLE_BITS
                        + " bits");
    }
}
