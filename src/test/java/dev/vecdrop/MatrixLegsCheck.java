package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Run by the build after the matrix legs (execution {@code matrix-legs-ran} in {@code pom.xml}), never by them: it
 * reads each leg's surefire reports and fails if a leg skipped any test, ran fewer tests than its minimum
 * ({@code matrix.leg.min.tests}), another set of classes than those carrying its tags ({@code matrix.leg.groups},
 * less its stated exclusions), or a class with another number of tests than the default leg, which runs every
 * test class. Without it, a class that loses its tag, a leg whose selection matches nothing, or a class whose
 * parameters shrink in one leg drops out of the matrix with a green build.
 *
 * <p>Not named {@code *Test}, so only its own execution runs it.
 */
class MatrixLegsCheck {

    @Test
    void everyLegRanEveryTestOfItsTagsAndSkippedNone() throws Exception {
        Path reports = Path.of(property("matrix.reports"));
        Map<String, Integer> defaultLeg = testsPerClass(Path.of(property("matrix.default.reports")));
        Path testClasses = Path.of(property("matrix.test.classes"));
        Map<String, Set<String>> groups = legToNames(property("matrix.leg.groups"));
        // Stated exclusions, "leg=class;leg=class": a leg that leaves a tagged class out on purpose (pom.xml says
        // why) is expected to run every class of its tags but those.
        Map<String, Set<String>> excluded = legToNames(System.getProperty("matrix.leg.exclusions", ""));
        // A class that loses its tag drops out of the expected set as well as the leg: only a count can see that.
        Map<String, Set<String>> minimum = legToNames(property("matrix.leg.min.tests"));
        List<String> problems = new ArrayList<>();
        for (String listed : property("matrix.legs").split(",")) {
            String leg = listed.trim();
            Set<String> tags = groups.getOrDefault(leg, Set.of());
            Set<String> expected = taggedClasses(testClasses, tags);
            if (expected.isEmpty()) {
                problems.add(leg + ": no class carries its tags " + tags + " (matrix.leg.groups)");
            }
            expected.removeAll(excluded.getOrDefault(leg, Set.of()));
            Path dir = reports.resolve(leg);
            if (!Files.isDirectory(dir)) {
                problems.add(leg + ": no reports in " + dir + " (the leg did not run)");
                continue;
            }
            int[] skipped = new int[1];
            Map<String, Integer> ran = testsPerClass(dir, skipped);
            int total = ran.values().stream().mapToInt(Integer::intValue).sum();
            if (!minimum.containsKey(leg)) {
                problems.add(leg + ": no minimum in matrix.leg.min.tests");
            }
            int least = minimum.getOrDefault(leg, Set.of("0")).stream().mapToInt(Integer::parseInt).max().orElse(0);
            if (total < least) {
                problems.add(leg + ": ran " + total + " tests, fewer than its matrix.leg.min.tests " + least);
            }
            if (skipped[0] > 0) {
                problems.add(leg + ": skipped " + skipped[0] + " tests (a leg must assert, not skip)");
            }
            if (!ran.keySet().equals(expected)) {
                problems.add(leg + ": ran classes " + ran.keySet() + ", but those tagged " + tags
                        + " (less its stated exclusions) are " + expected);
            }
            ran.forEach((type, tests) -> {
                if (!tests.equals(defaultLeg.get(type))) {
                    problems.add(leg + ": " + type + " ran " + tests + " tests, the default leg "
                            + defaultLeg.get(type));
                }
            });
        }
        assertEquals(List.of(), problems, "matrix legs in " + reports);
    }

    /** {@code "leg=a,b;leg=c"} as a map from leg to names. */
    private static Map<String, Set<String>> legToNames(String spec) {
        Map<String, Set<String>> map = new HashMap<>();
        for (String entry : spec.split(";")) {
            if (!entry.isBlank()) {
                String[] legAndNames = entry.trim().split("=");
                for (String name : legAndNames[1].split(",")) {
                    map.computeIfAbsent(legAndNames[0].trim(), k -> new TreeSet<>()).add(name.trim());
                }
            }
        }
        return map;
    }

    private static Map<String, Integer> testsPerClass(Path dir) throws Exception {
        return testsPerClass(dir, new int[1]);
    }

    /** Tests run (less skipped) per class in the reports of {@code dir}; adds the skipped ones to {@code skipped[0]}. */
    private static Map<String, Integer> testsPerClass(Path dir, int[] skipped) throws Exception {
        Map<String, Integer> tests = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(file.toFile()).getDocumentElement();
                int skips = Integer.parseInt(suite.getAttribute("skipped"));
                skipped[0] += skips;
                tests.merge(suite.getAttribute("name"), Integer.parseInt(suite.getAttribute("tests")) - skips,
                        Integer::sum);
            }
        }
        return tests;
    }

    /** The classes under {@code root} carrying any of {@code tags} (JUnit's {@code @Tag}, or jqwik's). */
    private static Set<String> taggedClasses(Path root, Set<String> tags) throws IOException, ClassNotFoundException {
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
            boolean junit = Stream.of(type.getAnnotationsByType(Tag.class)).anyMatch(t -> tags.contains(t.value()));
            boolean jqwik = Stream.of(type.getAnnotationsByType(net.jqwik.api.Tag.class))
                    .anyMatch(t -> tags.contains(t.value()));
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
