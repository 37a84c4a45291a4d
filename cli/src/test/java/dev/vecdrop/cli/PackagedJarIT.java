package dev.vecdrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the artifact the launcher runs, after {@code package}: {@code cli/target/vecdrop-cli.jar} and
 * {@code cli/target/lib} (the library jar, picocli, jfreechart) on the module path, the main class named as a module, with the {@code --add-modules} list read from the
 * {@code ./vecdrop} script itself, so a jar that lost its module descriptor, a missing runtime dependency or a
 * launcher line that drifted from the build fails here instead of on a user's machine. Also runs the jar with
 * {@code java -jar} on the class path, as the README says to without the launcher. An integration test (failsafe):
 * the jar does not exist yet when surefire runs.
 */
class PackagedJarIT {

    /** This build's directory, {@code cli/}; the launcher sits in the repository root above it. */
    private static final Path CLI = Path.of("").toAbsolutePath();
    private static final Path ROOT = CLI.getParent();
    private static final Path JAR = CLI.resolve(Path.of("target", "vecdrop-cli.jar"));
    private static final Path LIB = CLI.resolve(Path.of("target", "lib"));
    private static final String MAIN = "dev.vecdrop.cli/dev.vecdrop.cli.Main";

    private static String addModules;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void theLauncherRunsThisJarThisWay() throws IOException {
        assertTrue(Files.isRegularFile(JAR), "no packaged jar at " + JAR + ": run after the package phase");
        assertTrue(Files.isDirectory(LIB), "no runtime dependencies at " + LIB);
        try (var jars = Files.list(LIB)) { // the library comes in by its coordinates, as a jar of its own
            assertTrue(jars.anyMatch(jar -> jar.getFileName().toString().matches("vecdrop-[0-9].*\\.jar")),
                    "the library jar is not among the runtime dependencies in " + LIB);
        }
        String script = Files.readString(ROOT.resolve("vecdrop"));
        // The lines this test copies; if the launcher changes them, this test must change with it.
        assertTrue(script.contains("cli_jar=\"$root/cli/target/vecdrop-cli.jar\""),
                "the launcher no longer runs cli/target/vecdrop-cli.jar");
        assertTrue(script.contains("--module-path \"$cli_jar:$root/cli/target/lib\""), "the launcher's module path changed");
        assertTrue(script.contains("--module " + MAIN + " \"$@\""), "the launcher's main module changed");
        Matcher modules = Pattern.compile("exec \"\\$java\" --add-modules (\\S+)").matcher(script);
        assertTrue(modules.find(), "no --add-modules on the launcher's java line");
        addModules = modules.group(1);
        assertTrue(addModules.contains("jdk.incubator.vector"), addModules);
    }

    private static Result launch(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", addModules,
                "-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%n",
                "-Djdk.system.logger.format=%4$s: %5$s%n",
                "-Dvecdrop.home=" + ROOT,
                "--module-path", JAR + java.io.File.pathSeparator + LIB,
                "--module", MAIN));
        command.addAll(List.of(args));
        return run(command);
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes());
        String err = new String(process.getErrorStream().readAllBytes());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "timed out: " + command);
        return new Result(process.exitValue(), out, err);
    }

    @Test
    void theJarPrintsTheContractsMaskWords() throws Exception {
        Result result = launch("mask", "--seed", "0xdeadbeefcafebabe", "--offset", "5", "--count", "1000", "--p", "0.3");
        assertEquals(0, result.code(), result.err());
        List<String> expected = new ArrayList<>();
        for (long word : MainTest.expectedWords(0xdeadbeefcafebabeL, 5, 1000, 0.3)) {
            expected.add(String.format("%016x", word));
        }
        assertEquals(expected, result.out().lines().toList());
    }

    /**
     * {@code java -jar} (class path mode), exactly as the README tells: the manifest's Main-Class, and a Class-Path
     * that names exactly the jars in {@code target/lib}, relative to the jar, so a dependency added, dropped or renamed
     * by copy-dependencies cannot leave the two apart.
     */
    @Test
    void javaDashJarRunsInfoOnTheClassPath() throws Exception {
        String readmeLine = "java --add-modules jdk.incubator.vector -jar cli/target/vecdrop-cli.jar info";
        assertTrue(Files.readString(ROOT.resolve("README.md")).contains(readmeLine),
                "the README no longer says how to run the jar without the launcher: " + readmeLine);
        Attributes manifest;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            manifest = jar.getManifest().getMainAttributes();
        }
        assertEquals("dev.vecdrop.cli.Main", manifest.getValue(Attributes.Name.MAIN_CLASS));
        String classPath = manifest.getValue(Attributes.Name.CLASS_PATH);
        assertNotNull(classPath, "no Class-Path in the manifest of " + JAR);
        List<String> inLib;
        try (var jars = Files.list(LIB)) {
            inLib = jars.map(jar -> "lib/" + jar.getFileName()).sorted().toList();
        }
        assertEquals(inLib, Stream.of(classPath.trim().split(" +")).sorted().toList(),
                "the manifest's Class-Path against the jars in " + LIB);

        Result result = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-jar", JAR.toString(), "info"));
        assertEquals(0, result.code(), result.err());
        // On the class path there is no module descriptor: the version comes from the manifest.
        assertEquals("vecdrop         " + manifest.getValue(Attributes.Name.IMPLEMENTATION_VERSION),
                result.out().lines().findFirst().orElse(""), result.out());
        assertTrue(result.out().contains("jdk.incubator.vector present"), result.out());
        assertTrue(ModulePathLaunchTest.VECTOR_IMPLEMENTATION.matcher(result.out()).find(),
                "info from java -jar must name a vector-<bits> implementation: " + result.out());
    }

    @Test
    void theJarRunsTheVectorKernels() throws Exception {
        Result result = launch("info");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("jdk.incubator.vector present"), result.out());
        assertTrue(ModulePathLaunchTest.VECTOR_IMPLEMENTATION.matcher(result.out()).find(),
                "info from the packaged jar must name a vector-<bits> implementation: " + result.out());
    }
}
