package dev.vecdrop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test-classpath main class in a new JVM that inherits this one's vector module, vecdrop properties and -XX flags.
 * A copy of the library's test helper of the same name (test classes are not published with the library).
 */
final class FreshJvm {

    private FreshJvm() {}

    /**
     * Runs {@code main} and returns its standard output; fails the test if it does not exit with 0 in 5 minutes.
     * {@code jvmArgs} come after the inherited ones, so a {@code -D} there overrides an inherited one.
     */
    static String run(List<String> jvmArgs, Class<?> main, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:") || arg.startsWith("-Dvecdrop.") || arg.startsWith("--add-modules")) {
                command.add(arg);
            }
        }
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        // Standard error to a file: read after standard output, a child that filled the pipe's buffer there would
        // block, and this JVM with it.
        Path err = Files.createTempFile("vecdrop-fresh-jvm", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(5, TimeUnit.MINUTES), "timed out: " + command);
            assertEquals(0, process.exitValue(), "failed: " + command + "\n" + Files.readString(err));
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
