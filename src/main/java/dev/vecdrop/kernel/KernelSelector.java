package dev.vecdrop.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Picks the kernels once, at class initialisation, and logs one line saying which and why (Lucene's
 * {@code VectorizationProvider} pattern). The vector kernels are loaded reflectively so that this class, and
 * the whole library, links without {@code jdk.incubator.vector}.
 *
 * <p>Thread-safety: immutable after class initialisation. Allocation: none after it.
 */
public final class KernelSelector {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String PANAMA_KERNELS = "dev.vecdrop.vector.VectorKernelFactory";

    private static final KernelChoice CHOICE = select();
    private static final DropoutKernels KERNELS = CHOICE.kernels();
    /** {@link #hardwareFma()}, read once: the log line below needs it twice, and the JVM option does not change. */
    private static final boolean HARDWARE_FMA = !hotspotOption("UseFMA").equals("false");

    /** Whether this line is worth a warning: scalar kernels nobody asked for, an ignored setting, no hardware fma. */
    private static final boolean WARN = (KERNELS.vectorBitSize() == 0 && WidthRequest.BITS != WidthRequest.SCALAR)
            || WidthRequest.isInvalid() || !HARDWARE_FMA;

    static {
        System.Logger log = System.getLogger("dev.vecdrop");
        String fma = HARDWARE_FMA ? "" : "; no hardware fma (-XX:-UseFMA, or a CPU without FMA3): Math.fma and the"
                + " Vector API's FMA run in software, so the normal stream and the gaussian layers are thousands of"
                + " times slower and allocate on every call";
        log.log(WARN ? System.Logger.Level.WARNING : System.Logger.Level.INFO, KERNELS.vectorBitSize() > 0
                ? "vecdrop: " + KERNELS.name() + " kernels (" + CHOICE.reason() + ")" + fma
                : "vecdrop: scalar kernels, because " + CHOICE.reason() + fma);
    }

    private KernelSelector() {}

    /** The kernels every {@code Dropout} uses unless told otherwise, and why they were picked. */
    public static KernelChoice choice() {
        return CHOICE;
    }

    /** The kernels every {@code Dropout} uses unless told otherwise. */
    public static DropoutKernels kernels() {
        return KERNELS;
    }

    /** Why {@link #kernels()} was chosen, in words. */
    public static String reason() {
        return CHOICE.reason();
    }

    /**
     * Whether {@code jdk.incubator.vector} is in this library's module layer or the boot layer (it is in the boot
     * layer only with {@code --add-modules}).
     */
    public static boolean vectorModulePresent() {
        return vectorModule().isPresent();
    }

    /**
     * The widest vector shape the Vector API would use on this CPU and JVM flags, in bits; {@code 0} when
     * {@code jdk.incubator.vector} is absent. Reflective, so it needs the module only when it is there.
     */
    public static int hardwareVectorBits() {
        if (vectorModule().isEmpty()) {
            return 0;
        }
        try {
            Class<?> shape = Class.forName("jdk.incubator.vector.VectorShape");
            Object preferred = shape.getMethod("preferredShape").invoke(null);
            return (Integer) shape.getMethod("vectorBitSize").invoke(preferred);
        } catch (ReflectiveOperationException | LinkageError e) {
            return 0;
        }
    }

    private static Optional<Module> vectorModule() {
        return findModule(KernelSelector.class.getModule().getLayer(), VECTOR_MODULE);
    }

    /**
     * Module {@code name} as seen from a module in {@code layer}, else from the boot layer (Lucene's
     * {@code VectorizationProvider} does the same): an application that loads this library into a layer of its
     * own may resolve {@code jdk.incubator.vector} there rather than at boot. {@code layer} is {@code null} for
     * the unnamed module (class path).
     */
    static Optional<Module> findModule(ModuleLayer layer, String name) {
        Optional<Module> own = layer == null ? Optional.empty() : layer.findModule(name);
        return own.isPresent() ? own : ModuleLayer.boot().findModule(name);
    }

    private static KernelChoice select() {
        if (WidthRequest.BITS == WidthRequest.SCALAR) {
            return new KernelChoice(DropoutKernels.SCALAR,
                    WidthChoice.reason(WidthRequest.SCALAR, WidthChoice.NONE));
        }
        String ignored = WidthRequest.isInvalid() ? " (ignored -D" + WidthRequest.PROPERTY + "=" + WidthRequest.RAW
                + ": expected scalar, 128, 256 or 512)" : "";
        return selectVector().withNote(ignored);
    }

    private static KernelChoice selectVector() {
        Optional<Module> vectorModule = vectorModule();
        if (vectorModule.isEmpty()) {
            return scalar(VECTOR_MODULE + " is not in the module graph: start the JVM with --add-modules "
                    + VECTOR_MODULE + " for SIMD kernels");
        }
        String noC2 = c2Problem();
        if (noC2 != null) {
            return scalar(noC2 + ": the Vector API is only fast once C2 compiles it");
        }
        if (hotspotOption("UseAVX").equals("0")) {
            // C2 does not intrinsify the Vector API's conversions and compares on SSE alone: every vector boxed,
            // 180-570 KB a 4K-float forward, 3-8x slower than the scalar kernels (a review helper, stop 31).
            return scalar("-XX:UseAVX=0 (SSE only): C2 does not compile the Vector API's conversions there");
        }
        KernelSelector.class.getModule().addReads(vectorModule.get());
        try {
            Class<?> panama = Class.forName(PANAMA_KERNELS);
            return (KernelChoice) MethodHandles.lookup()
                    .findStatic(panama, "create", MethodType.methodType(KernelChoice.class))
                    .invoke();
        } catch (Throwable e) { // a broken or foreign JDK: fall back rather than fail the application
            return scalar("the vector kernels could not be loaded (" + e + ")");
        }
    }

    private static KernelChoice scalar(String reason) {
        return new KernelChoice(DropoutKernels.SCALAR, reason);
    }

    /**
     * Whether {@code Math.fma} and the Vector API's {@code FMA} run as one instruction: HotSpot's {@code UseFMA},
     * which is false on x86 CPUs without FMA3 (before Haswell and Piledriver) and with {@code -XX:-UseFMA}; then
     * both fall back to {@code BigDecimal}. Taken as true where the option cannot be read.
     */
    public static boolean hardwareFma() {
        return HARDWARE_FMA;
    }

    /** HotSpot's value of {@code name}, or {@code ""} where it has none (another CPU, another JVM, no jdk.management). */
    private static String hotspotOption(String name) {
        try {
            var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return hotspot == null ? "" : hotspot.getVMOption(name).getValue();
        } catch (LinkageError | RuntimeException e) {
            return "";
        }
    }

    /** Why C2 cannot compile the kernels, or {@code null} if it can (or we cannot tell). */
    private static String c2Problem() {
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs interpreted (-Xint)";
        }
        if (info.contains("emulated-client")) {
            return "the JVM emulates a client VM (no C2)";
        }
        String level = hotspotOption("TieredStopAtLevel"); // "" where it cannot be read: assume a C2-class JIT
        if (hotspotOption("TieredCompilation").equals("true") && !level.isEmpty() && Integer.parseInt(level) < 4) {
            return "-XX:TieredStopAtLevel below 4 disables C2";
        }
        if (hotspotOption("UseCompiler").equals("false")) {
            return "the JIT compiler is off";
        }
        return null;
    }
}
