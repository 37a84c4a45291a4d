package dev.vecdrop.train;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The BLAS the trainer multiplies with: netlib's pure-Java {@code Java11BLAS}, chosen for reproducibility.
 *
 * <p>Measured here: netlib's {@code VectorBLAS} returns different {@code sgemm} results for the same inputs once C2
 * has compiled it (its lane reductions round in another order than the interpreted code), so two runs with the
 * same seed drift apart after a few epochs; a native system BLAS depends on what is installed (Debian's reference
 * libblas was also 20x slower). {@code Java11BLAS} gives the same bits every call and ran at about 70% of
 * {@code VectorBLAS}'s speed. netlib does not make it public, so it is looked up reflectively (automatic
 * modules open their packages); if that ever fails, the default Java BLAS is used and the run says so.
 *
 * <p>Thread-safety: the instance is stateless and shared.
 */
final class DeterministicBlas {

    private static final BLAS INSTANCE = lookup();

    private DeterministicBlas() {}

    static BLAS get() {
        return INSTANCE;
    }

    private static BLAS lookup() {
        try {
            var method = Class.forName("dev.ludovic.netlib.blas.Java11BLAS").getDeclaredMethod("getInstance");
            method.setAccessible(true);
            return (BLAS) method.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.getLogger("dev.vecdrop.train").log(System.Logger.Level.WARNING,
                    "netlib Java11BLAS unavailable (" + e + "); using JavaBLAS, whose results may vary run to run");
            return dev.ludovic.netlib.blas.JavaBLAS.getInstance();
        }
    }

    /** The implementation's simple class name, for run headers. */
    static String name() {
        return INSTANCE.getClass().getSimpleName();
    }
}
