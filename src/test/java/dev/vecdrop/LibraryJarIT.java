package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packaged library ({@code target/vecdrop.jar}, the artifact users depend on) holds the library only: no class
 * of the command-line tool, the training example or its matrix kernel (built in {@code cli/}), and a module
 * descriptor that needs none of their dependencies and opens the internals to no one but the CLI. An
 * integration test (failsafe): the jar exists only after {@code package}; it also catches stale classes of the
 * old layout that an incremental build left in {@code target/classes}.
 */
class LibraryJarIT {

    private static final Path JAR = Path.of("target", "vecdrop.jar").toAbsolutePath();

    private static final String MAVEN_DESCRIPTOR = "META-INF/maven/dev.vecdrop/vecdrop/";

    /** What only the CLI and the training example use; none of it may be in the library jar. */
    private static final Pattern NOT_LIBRARY =
            Pattern.compile("dev/vecdrop/(cli|train)/.*|.*MatrixKernel.*|.*picocli.*|.*jfree.*");

    private static final Set<String> ALLOWED_REQUIRES =
            Set.of("java.base", "java.management", "jdk.management", "jdk.incubator.vector");

    @Test
    void theJarHoldsNoClassOfTheCliOrTheTrainingExample() throws IOException {
        assertTrue(Files.isRegularFile(JAR), "no packaged jar at " + JAR + ": run after the package phase");
        List<String> entries;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            entries = jar.stream().map(e -> e.getName()).toList();
        }
        assertTrue(entries.contains("dev/vecdrop/Dropout.class"), "not the library jar: " + entries);
        assertTrue(entries.contains("module-info.class"), "the library jar lost its module descriptor");
        // Files only: an incremental build may leave the empty directory of a moved package behind, which holds nothing.
        List<String> foreign = entries.stream()
                .filter(name -> !name.endsWith("/") && NOT_LIBRARY.matcher(name).matches()).toList();
        assertEquals(List.of(), foreign, "the library jar holds what belongs to cli/");
        List<String> metaInf = entries.stream().filter(name -> name.startsWith("META-INF/") && !name.endsWith("/"))
                .sorted().toList();
        assertEquals(List.of("META-INF/LICENSE", "META-INF/MANIFEST.MF", MAVEN_DESCRIPTOR + "pom.properties",
                MAVEN_DESCRIPTOR + "pom.xml"), metaInf,
                "the library jar's META-INF holds a build tool's file, or lacks the licence or the coordinates");
                // the compiler's jpms.args was there until stop 32, the Maven descriptor missing until stop 33
    }

    /**
     * The manifest names the Java release the classes were compiled for, not the JDK that ran Maven (17 here: the
     * archiver's default), and the coordinates match it; the sources jar carries the licence too.
     */
    @Test
    void theManifestAndTheDescriptorsDescribeThisBuild() throws IOException {
        Manifest manifest;
        Properties coordinates = new Properties();
        int classMajor;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            manifest = jar.getManifest();
            JarEntry descriptor = jar.getJarEntry(MAVEN_DESCRIPTOR + "pom.properties");
            assertNotNull(descriptor, "the library jar has no " + MAVEN_DESCRIPTOR + "pom.properties");
            try (InputStream in = jar.getInputStream(descriptor)) {
                coordinates.load(in);
            }
            try (DataInputStream in = new DataInputStream(jar.getInputStream(jar.getEntry("module-info.class")))) {
                in.readInt(); // magic
                in.readUnsignedShort(); // minor
                classMajor = in.readUnsignedShort();
            }
        }
        Attributes main = manifest.getMainAttributes();
        assertEquals(String.valueOf(classMajor - 44), main.getValue("Build-Jdk-Spec"),
                "Build-Jdk-Spec against the class files' major version " + classMajor);
        assertEquals(coordinates.getProperty("version"), main.getValue("Implementation-Version"));
        assertEquals("dev.vecdrop", coordinates.getProperty("groupId"));
        assertEquals("vecdrop", coordinates.getProperty("artifactId"));
        Path sources = JAR.resolveSibling("vecdrop-" + coordinates.getProperty("version") + "-sources.jar");
        try (JarFile jar = new JarFile(sources.toFile())) {
            assertNotNull(jar.getEntry("META-INF/LICENSE"), sources + " has no licence");
        }
    }

    @Test
    void theModuleNeedsNothingOfTheCliAndShowsItsInternalsOnlyToIt() {
        ModuleReference module = ModuleFinder.of(JAR).findAll().stream().findFirst().orElseThrow();
        ModuleDescriptor descriptor = module.descriptor();
        assertEquals("dev.vecdrop", descriptor.name());
        Set<String> requires = descriptor.requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(ALLOWED_REQUIRES.containsAll(requires), "requires beyond " + ALLOWED_REQUIRES + ": " + requires);
        Set<String> exportedToAll = descriptor.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("dev.vecdrop"), exportedToAll, "only the API is exported to everyone");
        for (ModuleDescriptor.Exports export : descriptor.exports()) {
            if (export.isQualified()) {
                assertEquals(Set.of("dev.vecdrop.cli"), export.targets(), export.source() + " is exported beyond the CLI");
            }
        }
        assertEquals(Set.of(), descriptor.opens(), "the library opens nothing");
        assertTrue(!descriptor.isOpen(), "the library module is open");
    }
}
