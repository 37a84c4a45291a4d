package dev.vecdrop.cli;

import dev.vecdrop.Vectorization;
import dev.vecdrop.kernel.Platform;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vecdrop info}: the JDK, the CPU's vector width, and which kernels run and why. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the JDK, CPU vector width, and which implementation was picked and why.")
final class InfoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("vecdrop         %s%n", Main.Version.version());
        out.printf("JDK             %s%n", Platform.jdk());
        out.printf("JVM flags       %s%n", Platform.jvmFlags());
        out.printf("CPU             %s%n", Platform.cpuModel());
        out.printf("SIMD flags      %s%n", Platform.simdFlags());
        out.printf("vector module   %s%n", Vectorization.vectorModulePresent()
                ? "jdk.incubator.vector present" : "jdk.incubator.vector absent (add --add-modules jdk.incubator.vector)");
        out.printf("vector width    %s (what the JIT supports with these flags)%n", Platform.hardwareWidth());
        out.printf("implementation  %s%n", Vectorization.implementation());
        out.printf("why             %s%n", Vectorization.reason());
    }
}
