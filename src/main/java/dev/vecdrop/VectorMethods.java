package dev.vecdrop;

import dev.vecdrop.kernel.KernelSelector;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Links a static method of a {@code dev.vecdrop.vector} class, which only loads with {@code jdk.incubator.vector}:
 * reflectively, as the selector loads the vector kernels, so that the library links without the module. Callers keep
 * the handle in a {@code static final} field, so C2 inlines it.
 *
 * <p>Thread-safety: stateless. Allocation: at link time only.
 */
final class VectorMethods {

    private VectorMethods() {}

    /**
     * {@return the method, or null when the selected kernels are scalar or it cannot be linked (said once, as a
     * warning naming {@code what}, which then runs on its scalar path)}
     */
    static MethodHandle find(String className, String name, MethodType type, String what) {
        if (KernelSelector.kernels().vectorBitSize() == 0) {
            return null;
        }
        try { // the module reads jdk.incubator.vector already: the selector added the edge
            return MethodHandles.lookup().findStatic(Class.forName("dev.vecdrop.vector." + className), name, type);
        } catch (ReflectiveOperationException | LinkageError e) { // as the selector does: fall back and say so
            System.getLogger("dev.vecdrop").log(System.Logger.Level.WARNING,
                    "vecdrop: scalar " + what + ", because the vector one could not be loaded (" + e + ")");
            return null;
        }
    }

    /**
     * What a {@code MethodHandle.invokeExact} of a vector loop may throw, as thrown: runtime exceptions and errors
     * as they are; anything else cannot come (the loops declare no checked exception) and is wrapped.
     */
    static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
}
