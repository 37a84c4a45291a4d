package dev.vecdrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Dropout;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Launches the CLI as a named module ({@code dev.vecdrop.cli}, reading the library module {@code dev.vecdrop}), as
 * the launcher script does: once with {@code jdk.incubator.vector} and once without, where the library must still run, on the scalar path, and say once why.
 */
class ModulePathLaunchTest {

    record Result(int code, String out, String err) {}

    static Result launch(boolean withVectorModule, String... args) throws Exception {
        // The CLI's classes, and the library and picocli jars this test runs against, as the launcher's module path.
        String modulePath = String.join(File.pathSeparator, Path.of("target", "classes").toAbsolutePath().toString(),
                jarOf(Dropout.class), jarOf(CommandLine.class));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withVectorModule) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        command.addAll(List.of("--module-path", modulePath, "--module", "dev.vecdrop.cli/dev.vecdrop.cli.Main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes());
        String err = new String(process.getErrorStream().readAllBytes());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        return new Result(process.exitValue(), out, err);
    }

    @Test
    void withoutTheVectorModuleTheScalarPathRunsAndSaysWhyOnce() throws Exception {
        Result result = launch(false, "mask", "--seed", "3", "--count", "128", "--p", "0.5");
        assertEquals(0, result.code(), result.err());
        assertEquals(MainTest.expectedWords(3, 0, 128, 0.5).length, result.out().lines().count());
        long why = result.err().lines().filter(l -> l.contains("--add-modules jdk.incubator.vector")).count();
        assertEquals(1, why, "one log line saying why: " + result.err());
        assertTrue(result.err().contains("scalar kernels"), result.err());
    }

    @Test
    void withTheVectorModuleTheNamedModuleRunsTheSameMask() throws Exception {
        Result vector = launch(true, "mask", "--seed", "3", "--count", "1000", "--p", "0.25");
        Result scalar = launch(false, "mask", "--seed", "3", "--count", "1000", "--p", "0.25");
        assertEquals(0, vector.code(), vector.err());
        assertEquals(scalar.out(), vector.out());
        Result info = launch(true, "info");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("jdk.incubator.vector present"), info.out());
        // The module being present is not enough: the launch must have picked the vector kernels.
        assertTrue(VECTOR_IMPLEMENTATION.matcher(info.out()).find(),
                "info with the vector module must name a vector-<bits> implementation: " + info.out());
    }

    private static String jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** The line of {@code info} that names vector kernels. */
    static final Pattern VECTOR_IMPLEMENTATION =
            Pattern.compile("(?m)^implementation +vector-(128|256|512)$");
}
