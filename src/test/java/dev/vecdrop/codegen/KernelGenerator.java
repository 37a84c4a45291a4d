package dev.vecdrop.codegen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates the kernel sources from one template per kernel shape, the way the JDK generates its own Vector API
 * classes: each per-element operation is written once, and a new element type or buffer kind is one more
 * {@link Instance}, not another copy of a loop. The generated files are committed (so the library builds with
 * plain javac and reads like hand-written code); {@code GeneratedKernelsTest} regenerates them in memory and
 * fails on any difference.
 *
 * <p>Regenerate after editing a template, from the repository root, with JDK 25:
 * {@code java src/test/java/dev/vecdrop/codegen/KernelGenerator.java} (a single-file program: no dependencies).
 *
 * <p>Template language, one directive per line (Java has no line starting with {@code #}):
 * <ul>
 *   <li>{@code $name$}: replaced by the instance's value of {@code name};</li>
 *   <li>{@code #if[flag]} ... {@code #else[flag]} ... {@code #end[flag]}: lines kept when the flag is set (else the
 *       other branch); flags nest;</li>
 *   <li>{@code #each[V: a+b=A, c=C]} ... {@code #end[V]}: the block emitted once per entry, with flags {@code a} and
 *       {@code b} set and {@code $V$} replaced by {@code A}, then with flag {@code c} and {@code C} (an empty fragment
 *       is allowed): how one method body yields its scaled and pass-through, masked and unmasked variants without
 *       copies.</li>
 *   <li>{@code !flag}, in {@code #if[!flag]} or in an {@code #each} entry: the negation; an entry holding
 *       {@code !flag} is skipped where an enclosing block set {@code flag} (so a variant can leave out one method of
 *       a shape, as the affine variants leave out {@code applyMaskAffine}).</li>
 * </ul>
 *
 * <p>Thread-safety: stateless. Allocation: irrelevant (build tool).
 */
public final class KernelGenerator {

    /** Where templates live, relative to the repository root. */
    static final Path TEMPLATES = Path.of("src/main/java-templates");
    /** Where generated library sources go. */
    static final Path SOURCES = Path.of("src/main/java");
    /** Where generated test support goes. */
    static final Path TEST_SOURCES = Path.of("src/test/java");

    private static final Pattern EACH = Pattern.compile("#each\\[(\\w+):(.*)]");
    private static final Pattern IF = Pattern.compile("#(if|else|end)\\[(!?\\w+)]");
    private static final Pattern VARIABLE = Pattern.compile("\\$(\\w+)\\$");

    /** One generated file: a template, where it goes, and the values and flags it is rendered with. */
    record Instance(String template, Path output, Map<String, String> values, Set<String> flags) {}

    private KernelGenerator() {}

    /** Every generated file of the library. */
    static List<Instance> instances() {
        List<Instance> all = new ArrayList<>();
        for (ElementType type : ElementType.values()) {
            for (Buffer buffer : Buffer.values()) {
                Map<String, String> values = new LinkedHashMap<>();
                values.putAll(type.substitutions());
                values.putAll(buffer.substitutions(type));
                String name = type.capitalised + buffer.capitalised;
                Set<String> flags = Set.of(type.flag, buffer.flag);
                all.add(new Instance("kernel/Kernels.java.template",
                        SOURCES.resolve("dev/vecdrop/kernel/" + name + "Kernels.java"), values, flags));
                all.add(new Instance("scalar/ScalarKernels.java.template",
                        SOURCES.resolve("dev/vecdrop/scalar/Scalar" + name + "Kernels.java"), values, flags));
                for (Carrier carrier : Carrier.values()) {
                    if (carrier.appliesTo(type, buffer)) {
                        Map<String, String> vectorValues = new LinkedHashMap<>(values);
                        vectorValues.putAll(carrier.substitutions(type));
                        Set<String> vectorFlags = new HashSet<>(flags);
                        if (carrier != Carrier.ELEMENT) {
                            vectorFlags.add("carried");
                        }
                        all.add(new Instance("vector/VectorKernels.java.template",
                                SOURCES.resolve("dev/vecdrop/vector/Vector" + name + "Kernels"
                                        + carrier.classSuffix + ".java"), vectorValues, Set.copyOf(vectorFlags)));
                    }
                }
                all.add(new Instance("api/TypedDropout.java.template",
                        SOURCES.resolve("dev/vecdrop/" + name + "Dropout.java"), values, flags));
                all.add(new Instance("api/TypedFusedDropout.java.template",
                        SOURCES.resolve("dev/vecdrop/Fused" + name + "Dropout.java"), values, flags));
                all.add(new Instance("kernel/ForwardingKernels.java.template",
                        TEST_SOURCES.resolve("dev/vecdrop/kernel/Forwarding" + name + "Kernels.java"), values, flags));
            }
        }
        // The normal stream's vector loop, once per use of its values (store, multiply, add): one template.
        all.add(new Instance("vector/PanamaNormals.java.template",
                SOURCES.resolve("dev/vecdrop/vector/PanamaNormals.java"), Map.of(), Set.of()));
        // The gaussian layers' block loops and checks, once per element type and use (multiply, add).
        all.add(new Instance("api/NormalBlocks.java.template",
                SOURCES.resolve("dev/vecdrop/NormalBlocks.java"), Map.of(), Set.of()));
        return all;
    }

    /** The element types: float32 and float64. */
    enum ElementType {
        FLOAT("float", "Float", "0.0f", "JAVA_FLOAT_UNALIGNED", "FLOATS", "FLOAT_WORDS", "FLOAT_UNIFORMS"),
        DOUBLE("double", "Double", "0.0", "JAVA_DOUBLE_UNALIGNED", "DOUBLES", "DOUBLE_WORDS", "DOUBLE_UNIFORMS");

        final String flag;
        final String capitalised;
        private final String zero;
        private final String layout;
        private final String species;
        private final String words;
        private final String uniforms;

        ElementType(String name, String capitalised, String zero, String layout, String species, String words,
                    String uniforms) {
            this.flag = name;
            this.capitalised = capitalised;
            this.zero = zero;
            this.layout = layout;
            this.species = species;
            this.words = words;
            this.uniforms = uniforms;
        }

        Map<String, String> substitutions() {
            return Map.of("type", flag, "Type", capitalised, "zero", zero, "LAYOUT", layout,
                    "SPECIES", species, "WORDS", words, "UNIFORMS", uniforms,
                    "bytes", flag.equals("float") ? "Float.BYTES" : "Double.BYTES",
                    "accessor", flag.equals("float") ? "floatSegments" : "doubleSegments");
        }
    }

    /** The buffer kinds: Java arrays (int offsets, long[] masks) and memory segments (long offsets and masks). */
    enum Buffer {
        ARRAY("array", "Array"),
        SEGMENT("segment", "Segment");

        final String flag;
        final String capitalised;

        Buffer(String flag, String capitalised) {
            this.flag = flag;
            this.capitalised = capitalised;
        }

        Map<String, String> substitutions(ElementType type) {
            boolean array = this == ARRAY;
            return Map.of("Buf", capitalised,
                    "X", array ? type.flag + "[]" : "MemorySegment",
                    "I", array ? "int" : "long",
                    "M", array ? "long[]" : "MemorySegment",
                    "kernels", type.flag + capitalised + "s");
        }
    }

    /**
     * The array a heap data segment is over, as the vector segment kernels load and store it: an array of the
     * element type ({@link #ELEMENT}, the kernels' own class) or another array that has a twin of those kernels,
     * loading vectors of the array's type and reinterpreting them ({@code Vector<kind>KernelsOver<Carrier>}), because
     * JDK 25's C2 compiles a vector access to a heap segment only when the vector's and the array's element types
     * agree (or the array is a {@code byte[]}: not for float and double vectors).
     */
    enum Carrier {
        ELEMENT("", null, null, null),
        /** Heap buffers, {@code MemorySegment.ofBuffer(ByteBuffer.allocate(n))}, files read into arrays. */
        BYTES("OverBytes", "byte", "Byte", "BYTES"),
        /** float64 data over a {@code float[]}. */
        FLOATS("OverFloats", "float", "Float", "FLOATS");

        final String classSuffix;
        private final String array;
        private final String vector;
        private final String species;

        Carrier(String classSuffix, String array, String vector, String species) {
            this.classSuffix = classSuffix;
            this.array = array;
            this.vector = vector;
            this.species = species;
        }

        /** Array kernels have no twins; segment kernels have one per array type other than their element's. */
        boolean appliesTo(ElementType type, Buffer buffer) {
            return this == ELEMENT || buffer == Buffer.SEGMENT && !type.flag.equals(array);
        }

        Map<String, String> substitutions(ElementType type) {
            boolean element = this == ELEMENT;
            // reinterpretShape, not reinterpretAsFloats() and the like: those run through one JDK method for every
            // vector class (AbstractVector.asVectorRaw), whose receiver profile PanamaNormals' own reinterpretations
            // share; with the twins' byte and double vectors in it too, C2 compiled the gaussian loops at AVX2 so
            // that they boxed (2 of 3 fresh JVMs). reinterpretShape is called by the twins alone.
            return Map.of("Over", classSuffix,
                    "heapArray", element ? type.flag : array,
                    "Carrier", element ? type.capitalised : vector,
                    "CARRIER_SPECIES", element ? type.species : species,
                    "loadOpen", element ? "" : "((" + type.capitalised + "Vector) ",
                    "asLoaded", element ? "" : ".reinterpretShape(Species." + type.species + ", 0))",
                    "asStored", element ? "" : ".reinterpretShape(Species." + species + ", 0)");
        }
    }

    /** Renders {@code template} with the instance's values and flags. */
    static String render(String template, Instance instance) {
        List<String> lines = template.lines().toList();
        StringBuilder out = new StringBuilder();
        emit(lines, 0, lines.size(), instance.values(), new HashSet<>(instance.flags()), out);
        return out.toString();
    }

    /** The last line written to {@code out}, without its line end; empty when nothing was written. */
    private static String lastLine(StringBuilder out) {
        int end = out.length() - 1;
        return end < 0 ? "" : out.substring(out.lastIndexOf("\n", end - 1) + 1, end);
    }

    private static void emit(List<String> lines, int from, int to, Map<String, String> values, Set<String> flags,
                             StringBuilder out) {
        Deque<Boolean> active = new ArrayDeque<>();
        Deque<String> open = new ArrayDeque<>();
        for (int i = from; i < to; i++) {
            String line = lines.get(i);
            String directive = line.strip();
            Matcher each = EACH.matcher(directive);
            if (each.matches()) {
                int end = findEnd(lines, i, to, each.group(1));
                if (!active.contains(false)) {
                    for (String entry : each.group(2).split(",")) {
                        String[] kv = entry.strip().split("=", -1);
                        List<String> entryFlags = List.of(kv[0].split("\\+"));
                        if (entryFlags.stream().anyMatch(f -> f.startsWith("!") && flags.contains(f.substring(1)))) {
                            continue; // guarded out by a flag of an enclosing block
                        }
                        Map<String, String> inner = new LinkedHashMap<>(values);
                        inner.put(each.group(1), kv[1]);
                        Set<String> innerFlags = new HashSet<>(flags);
                        innerFlags.addAll(entryFlags);
                        emit(lines, i + 1, end, inner, innerFlags, out);
                    }
                }
                i = end;
                continue;
            }
            Matcher branch = IF.matcher(directive);
            if (branch.matches()) {
                String flag = branch.group(2);
                switch (branch.group(1)) {
                    case "if" -> {
                        active.push(flag.startsWith("!") != flags.contains(flag.replace("!", "")));
                        open.push(flag);
                    }
                    case "else" -> {
                        requireOpen(open, flag, i);
                        active.push(!active.pop());
                    }
                    default -> {
                        requireOpen(open, flag, i);
                        active.pop();
                        open.pop();
                    }
                }
                continue;
            }
            if (!active.contains(false)) {
                String text = substitute(line, values, i);
                if (text.strip().startsWith("/**") && lastLine(out).strip().equals("}")) {
                    out.append('\n'); // a member's Javadoc after the one before: #each entries are written back to back
                }
                out.append(text).append('\n');
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalStateException("unclosed #if[" + open.peek() + "]");
        }
    }

    private static void requireOpen(Deque<String> open, String flag, int line) {
        if (!flag.equals(open.peek())) {
            throw new IllegalStateException("line " + (line + 1) + ": #else/#end[" + flag + "] does not close #if["
                    + open.peek() + "]");
        }
    }

    private static int findEnd(List<String> lines, int start, int to, String name) {
        for (int j = start + 1; j < to; j++) {
            if (lines.get(j).strip().equals("#end[" + name + "]")) {
                return j;
            }
        }
        throw new IllegalStateException("line " + (start + 1) + ": #each[" + name + "] has no #end");
    }

    private static String substitute(String line, Map<String, String> values, int lineIndex) {
        Matcher m = VARIABLE.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("line " + (lineIndex + 1) + ": no value for $" + m.group(1) + "$");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        return m.appendTail(sb).toString();
    }

    /** The generated text of {@code instance}, read from its template under {@code root}. */
    static String generate(Path root, Instance instance) throws IOException {
        String template = Files.readString(root.resolve(TEMPLATES).resolve(instance.template()));
        return "// Generated by dev.vecdrop.codegen.KernelGenerator from " + instance.template()
                + ": do not edit, edit the template.\n" + render(template, instance);
    }

    /** Writes every generated file under the repository root given as the only argument (default: "."). */
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        for (Instance instance : instances()) {
            try {
                Path target = root.resolve(instance.output());
                Files.writeString(target, generate(root, instance));
                System.out.println("wrote " + target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
