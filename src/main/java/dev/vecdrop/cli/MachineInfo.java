package dev.vecdrop.cli;

import dev.vecdrop.Vectorization;
import dev.vecdrop.kernel.KernelSelector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a result depends on: CPU, SIMD extensions, JDK, JVM flags and the kernels picked. Printed by
 * {@code info} and at the head of every benchmark report.
 *
 * <p>Thread-safety: stateless.
 */
final class MachineInfo {

    private MachineInfo() {}

    static String cpuModel() {
        return cpuinfoField("model name").orElse(System.getProperty("os.arch")) + " ("
                + Runtime.getRuntime().availableProcessors() + " cores)";
    }

    /** The SIMD extensions that matter here, as /proc/cpuinfo lists them. */
    static String simdFlags() {
        List<String> wanted = List.of("avx2", "fma", "bmi2", "avx512f", "avx512dq", "avx512vl", "avx512bw");
        return cpuinfoField("flags")
                .map(flags -> Stream.of(flags.split("\\s+")).filter(wanted::contains).collect(Collectors.joining(" ")))
                .orElse("unknown");
    }

    static String jdk() {
        return System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")";
    }

    static String jvmFlags() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return args.isEmpty() ? "(none)" : String.join(" ", args);
    }

    static String kernels() {
        return Vectorization.implementation() + " (" + Vectorization.reason() + ")";
    }

    static String hardwareWidth() {
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
