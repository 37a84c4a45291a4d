package dev.vecdrop;

import dev.vecdrop.kernel.KernelSelector;
import dev.vecdrop.kernel.WidthRequest;

/**
 * Which kernels this JVM runs, and why: chosen once, when this class or {@link Dropout} is first used.
 *
 * <p>Thread-safety: immutable. Allocation: none.
 */
public final class Vectorization {

    /** The system property that forces {@code scalar}, {@code 128}, {@code 256} or {@code 512}: for tests and benchmarks. */
    public static final String WIDTH_PROPERTY = WidthRequest.PROPERTY;

    private Vectorization() {}

    /** {@return {@code "scalar"} or {@code "vector-<bits>"}} */
    public static String implementation() {
        return KernelSelector.kernels().name();
    }

    /** {@return the vector width in bits, 0 on the scalar path} */
    public static int vectorBitSize() {
        return KernelSelector.kernels().vectorBitSize();
    }

    /** {@return why this implementation was picked} */
    public static String reason() {
        return KernelSelector.reason();
    }

    /**
     * {@return whether {@code jdk.incubator.vector} is present} (the JVM was started with
     * {@code --add-modules jdk.incubator.vector})
     */
    public static boolean vectorModulePresent() {
        return KernelSelector.vectorModulePresent();
    }
}
