package dev.vecdrop.train.matrix;

import dev.vecdrop.Vectorization;
import java.lang.invoke.MethodHandles;

/**
 * Picks the matrix kernel at the width of the library's dropout kernels: the scalar reference when those are
 * scalar, else {@link PanamaMatrixKernel}, loaded reflectively so that this class, and the trainer, link without
 * {@code jdk.incubator.vector}. Chosen on first use, once per JVM, as the library chooses its kernels.
 *
 * <p>Thread-safety: immutable after class initialisation. Allocation: none after it.
 */
public final class MatrixKernels {

    private static final String PANAMA_MATRIX = "dev.vecdrop.train.matrix.PanamaMatrixKernel";
    private static final MatrixKernel KERNEL = select();

    private MatrixKernels() {}

    /** The matrix product at the same width as the library's dropout kernels. */
    public static MatrixKernel active() {
        return KERNEL;
    }

    private static MatrixKernel select() {
        if (Vectorization.vectorBitSize() == 0) {
            return ScalarMatrixKernel.INSTANCE;
        }
        try {
            // A named module reads jdk.incubator.vector only if the module graph has it: it has (the library
            // runs vector kernels), but say so explicitly rather than rely on how `requires static` resolved.
            ModuleLayer.boot().findModule("jdk.incubator.vector").ifPresent(MatrixKernels.class.getModule()::addReads);
            Class<?> panama = Class.forName(PANAMA_MATRIX);
            return (MatrixKernel) MethodHandles.lookup().findStaticGetter(panama, "INSTANCE", panama).invoke();
        } catch (Throwable e) { // as the library does for the dropout kernels: fall back rather than fail, and say so
            System.getLogger("dev.vecdrop").log(System.Logger.Level.WARNING,
                    "vecdrop: scalar matrix kernel, because the vector one could not be loaded (" + e + ")");
            return ScalarMatrixKernel.INSTANCE;
        }
    }
}
