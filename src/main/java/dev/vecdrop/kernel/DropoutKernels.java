package dev.vecdrop.kernel;

import dev.vecdrop.scalar.ScalarDoubleArrayKernels;
import dev.vecdrop.scalar.ScalarDoubleSegmentKernels;
import dev.vecdrop.scalar.ScalarFloatArrayKernels;
import dev.vecdrop.scalar.ScalarFloatSegmentKernels;
import java.util.Objects;

/**
 * One implementation of every dropout kernel, the scalar reference or one vector width: one kernel object per
 * element type and buffer kind (the fused kernels of {@code FusedDropout} included), all from the same templates.
 * Chosen once at start-up by {@link KernelSelector}; every implementation produces bit-identical results.
 *
 * <p>Thread-safety: immutable; the kernels are stateless. Allocation: none after construction.
 *
 * @param name          short name for logs and reports: {@code "scalar"} or {@code "vector-512"}
 * @param vectorBitSize vector width in bits, or 0 for the scalar reference
 * @param floatArrays   float32 over {@code float[]}
 * @param doubleArrays  float64 over {@code double[]}
 * @param floatSegments float32 over memory segments
 * @param doubleSegments float64 over memory segments
 */
public record DropoutKernels(String name, int vectorBitSize, FloatArrayKernels floatArrays,
                             DoubleArrayKernels doubleArrays, FloatSegmentKernels floatSegments,
                             DoubleSegmentKernels doubleSegments) {

    /** The scalar reference for everything. */
    public static final DropoutKernels SCALAR = new DropoutKernels("scalar", 0, ScalarFloatArrayKernels.INSTANCE,
            ScalarDoubleArrayKernels.INSTANCE, ScalarFloatSegmentKernels.INSTANCE, ScalarDoubleSegmentKernels.INSTANCE);

    public DropoutKernels {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(floatArrays, "floatArrays");
        Objects.requireNonNull(doubleArrays, "doubleArrays");
        Objects.requireNonNull(floatSegments, "floatSegments");
        Objects.requireNonNull(doubleSegments, "doubleSegments");
    }

    /** These kernels with float32 arrays replaced (fault injection and instrumentation in tests). */
    public DropoutKernels withFloatArrays(String newName, FloatArrayKernels kernels) {
        return new DropoutKernels(newName, vectorBitSize, kernels, doubleArrays, floatSegments, doubleSegments);
    }
}
