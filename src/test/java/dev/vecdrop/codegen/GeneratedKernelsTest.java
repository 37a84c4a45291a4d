package dev.vecdrop.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The committed kernel sources are exactly what the templates generate: an edit to a generated file, or a template
 * edit without regenerating, fails here. Regenerate with
 * {@code java src/test/java/dev/vecdrop/codegen/KernelGenerator.java}.
 */
class GeneratedKernelsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyGeneratedSourceMatchesItsTemplate() throws IOException {
        List<KernelGenerator.Instance> instances = KernelGenerator.instances();
        assertEquals(29, instances.size(), "6 templates x 2 element types x 2 buffer kinds, the vector segment"
                + " kernels' twins (float32 over byte[], float64 over byte[] and float[]), the normal stream's loop"
                + " and the gaussian blocks");
        for (KernelGenerator.Instance instance : instances) {
            Path file = ROOT.resolve(instance.output());
            assertTrue(Files.exists(file), file + " is missing: regenerate");
            assertEquals(KernelGenerator.generate(ROOT, instance), Files.readString(file),
                    file + " differs from its template: regenerate with "
                            + "java src/test/java/dev/vecdrop/codegen/KernelGenerator.java");
        }
    }

    @Test
    void eachEmitsOneCopyPerEntryWithItsFlagsAndFragment() {
        String template = String.join("\n",
                "#each[V: a=, a+b=B]",
                "m$V$();",
                "#if[b]",
                "b$V$;",
                "#else[b]",
                "notB;",
                "#end[b]",
                "#end[V]",
                "#if[x]",
                "$t$ x;",
                "#end[x]");
        String out = KernelGenerator.render(template,
                new KernelGenerator.Instance("t", Path.of("o"), Map.of("t", "float"), Set.of("x")));
        assertEquals("m();\nnotB;\nmB();\nbB;\nfloat x;\n", out);
    }

    @Test
    void malformedTemplatesAreRejected() {
        KernelGenerator.Instance none = new KernelGenerator.Instance("t", Path.of("o"), Map.of(), Set.of());
        assertThrows(IllegalStateException.class, () -> KernelGenerator.render("#if[a]\nx", none));
        assertThrows(IllegalStateException.class, () -> KernelGenerator.render("#if[a]\n#end[b]", none));
        assertThrows(IllegalStateException.class, () -> KernelGenerator.render("$missing$", none));
        assertThrows(IllegalStateException.class, () -> KernelGenerator.render("#each[V: a=]\nx", none));
    }
}
