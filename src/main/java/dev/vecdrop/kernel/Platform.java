package dev.vecdrop.kernel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a result depends on: CPU, SIMD extensions, JDK, JVM flags and the kernels picked. Printed by
 * {@code vecdrop info} and at the head of every benchmark report.
 *
 * <p>Thread-safety: stateless. Allocation: builds strings; not for hot paths.
 */
public final class Platform {

    private Platform() {}

    public static String cpuModel() {
        return cpuinfoField("model name").orElse(System.getProperty("os.arch")) + " ("
                + Runtime.getRuntime().availableProcessors() + " cores)";
    }

    /** The SIMD extensions that matter here, as /proc/cpuinfo lists them. */
    public static String simdFlags() {
        List<String> wanted = List.of("avx2", "fma", "bmi2", "avx512f", "avx512dq", "avx512vl", "avx512bw");
        return cpuinfoField("flags")
                .map(flags -> Stream.of(flags.split("\\s+")).filter(wanted::contains).collect(Collectors.joining(" ")))
                .orElse("unknown");
    }

    public static String jdk() {
        return System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")";
    }

    public static String jvmFlags() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return args.isEmpty() ? "(none)" : String.join(" ", args);
    }

    public static String kernels() {
        return KernelSelector.kernels().name() + " (" + KernelSelector.reason() + ")";
    }

    public static String hardwareWidth() {
        int bits = KernelSelector.hardwareVectorBits();
        return bits > 0 ? bits + " bits" : "unknown (jdk.incubator.vector absent)";
    }

    private static java.util.Optional<String> cpuinfoField(String name) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith(name))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
