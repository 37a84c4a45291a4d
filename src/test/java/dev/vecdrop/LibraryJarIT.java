package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
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
        assertEquals(List.of("META-INF/LICENSE", "META-INF/MANIFEST.MF"), metaInf,
                "the library jar's META-INF holds a build tool's file"); // the compiler's jpms.args did, stop 32
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
