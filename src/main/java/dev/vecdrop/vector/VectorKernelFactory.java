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
        return new KernelChoice(new DropoutKernels("vector-" + Species.BITS, Species.BITS,
                VectorFloatArrayKernels.INSTANCE, VectorDoubleArrayKernels.INSTANCE,
                VectorFloatSegmentKernels.INSTANCE, VectorDoubleSegmentKernels.INSTANCE), reason);
    }
}
