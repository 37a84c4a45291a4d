package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Run by the build after the matrix legs (execution {@code matrix-legs-ran} in {@code pom.xml}), never by them: it
 * reads each leg's surefire reports and fails if a leg ran fewer than {@code matrix.min.tests} tests, skipped
 * any, or ran another set of classes than those tagged {@code @Tag("matrix")}. Without it, a class that loses
 * its tag, or a leg whose selection matches nothing, drops out of the matrix with a green build.
 *
 * <p>Not named {@code *Test}, so only its own execution runs it.
 */
class MatrixLegsCheck {

    private static final String MATRIX = "matrix";

    @Test
    void everyLegRanEveryMatrixTestAndSkippedNone() throws Exception {
        Path reports = Path.of(property("matrix.reports"));
        int minimum = Integer.parseInt(property("matrix.min.tests"));
        Set<String> tagged = taggedClasses(Path.of(property("matrix.test.classes")));
        assertTrue(!tagged.isEmpty(), "no class is tagged @Tag(\"" + MATRIX + "\")");
        // Stated exclusions, "leg=class;leg=class": a leg that leaves a tagged class out on purpose (pom.xml says
        // why) is expected to run every tagged class but those, and its minimum is one test lower per excluded
        // class (the only one so far, AllocationTest, has one test).
        java.util.Map<String, Set<String>> excluded = new java.util.HashMap<>();
        for (String entry : System.getProperty("matrix.leg.exclusions", "").split(";")) {
            if (!entry.isBlank()) {
                String[] legAndClass = entry.trim().split("=");
                excluded.computeIfAbsent(legAndClass[0].trim(), k -> new TreeSet<>()).add(legAndClass[1].trim());
            }
        }
        List<String> problems = new ArrayList<>();
        for (String leg : property("matrix.legs").split(",")) {
            Set<String> expected = new TreeSet<>(tagged);
            expected.removeAll(excluded.getOrDefault(leg.trim(), Set.of()));
            Path dir = reports.resolve(leg.trim());
            if (!Files.isDirectory(dir)) {
                problems.add(leg + ": no reports in " + dir + " (the leg did not run)");
                continue;
            }
            Set<String> classes = new TreeSet<>();
            int tests = 0;
            int skipped = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                    Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                            .parse(file.toFile()).getDocumentElement();
                    classes.add(suite.getAttribute("name"));
                    tests += Integer.parseInt(suite.getAttribute("tests"));
                    skipped += Integer.parseInt(suite.getAttribute("skipped"));
                }
            }
            int legMinimum = minimum - excluded.getOrDefault(leg.trim(), Set.of()).size();
            if (tests - skipped < legMinimum) {
                problems.add(leg + ": ran " + (tests - skipped) + " tests, fewer than matrix.min.tests = " + minimum
                        + " less its stated exclusions");
            }
            if (skipped > 0) {
                problems.add(leg + ": skipped " + skipped + " tests (a leg must assert, not skip)");
            }
            if (!classes.equals(expected)) {
                problems.add(leg + ": ran classes " + classes + ", but the tagged ones (less its stated exclusions) are "
                        + expected);
            }
        }
        assertEquals(List.of(), problems, "matrix legs in " + reports);
    }

    /** The classes under {@code root} annotated {@code @Tag("matrix")} (JUnit's, or jqwik's for property classes). */
    private static Set<String> taggedClasses(Path root) throws IOException, ClassNotFoundException {
        Set<String> tagged = new TreeSet<>();
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(root)) {
            classFiles = files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList();
        }
        for (Path file : classFiles) {
            String relative = root.relativize(file).toString();
            String name = relative.substring(0, relative.length() - ".class".length()).replace(file.getFileSystem().getSeparator(), ".");
            if (name.endsWith("module-info")) {
                continue;
            }
            Class<?> type = Class.forName(name, false, MatrixLegsCheck.class.getClassLoader());
            // ByType: both Tag annotations are repeatable (and JUnit's is inherited).
            boolean junit = Stream.of(type.getAnnotationsByType(Tag.class)).anyMatch(t -> t.value().equals(MATRIX));
            boolean jqwik = Stream.of(type.getAnnotationsByType(net.jqwik.api.Tag.class))
                    .anyMatch(t -> t.value().equals(MATRIX));
            if (junit || jqwik) {
                tagged.add(name);
            }
        }
        return tagged;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isBlank(), "-D" + name + " is not set: run by the build's matrix-legs-ran execution");
        return value;
    }
}
