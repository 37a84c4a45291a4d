package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each test JVM of the build says which implementation it expects ({@code -Dvecdrop.test.expect=...}); this holds
 * it to that, so a leg of the matrix cannot silently test the wrong path. Nothing is skipped: a leg that asks for
 * more bits than the CPU has must get exactly the CPU's width (the cap), and the test says which it expected.
 *
 * <p>Expectations: {@code scalar}; {@code preferred} (the hardware width); {@code capped} (the width
 * {@code -Dvecdrop.vector.bits} asks for, capped at the hardware width); {@code vector-N} (exactly N bits). The
 * hardware width is read here from {@code VectorShape.preferredShape()}, not from the kernels, so a kernel that
 * ignores the request or the cap is caught.
 */
@Tag("matrix")
class SelectionTest {

    static final String EXPECT = "vecdrop.test.expect";

    @Test
    void theExpectedImplementationWasPicked() {
        String expect = System.getProperty(EXPECT);
        if (expect == null) {
            // Run outside the build's matrix: at least the choice must be consistent with the module's presence.
            if (Vectorization.vectorBitSize() > 0) {
                assertTrue(Vectorization.vectorModulePresent());
            }
            return;
        }
        String expected = expectedImplementation(expect);
        assertEquals(expected, Vectorization.implementation(), () -> "leg expects " + expect + " on a CPU with "
                + (expected.equals("scalar") ? "?" : hardwareBits()) + "-bit vectors; why: " + Vectorization.reason());
        assertEquals(expected.equals("scalar") ? 0 : Integer.parseInt(expected.substring("vector-".length())),
                Vectorization.vectorBitSize());
    }

    @Test
    void aCappedRequestSaysSoInTheReason() {
        String requested = System.getProperty(Vectorization.WIDTH_PROPERTY);
        if (requested == null || requested.equals("scalar") || !Vectorization.vectorModulePresent()) {
            return;
        }
        int hardware = hardwareBits();
        boolean capped = Integer.parseInt(requested) > hardware && hardware >= 128;
        assertEquals(capped, Vectorization.reason().contains("asked for more than"), Vectorization.reason());
    }

    @Test
    void withoutTheModuleTheReasonSaysHowToGetIt() {
        if (!Vectorization.vectorModulePresent() && System.getProperty(Vectorization.WIDTH_PROPERTY) == null) {
            assertEquals("scalar", Vectorization.implementation());
            assertTrue(Vectorization.reason().contains("--add-modules jdk.incubator.vector"), Vectorization.reason());
        }
    }

    @Test
    void aDropoutReportsTheImplementationItRuns() {
        assertEquals(Vectorization.implementation(), Dropout.inverted(0.5).implementation());
        assertEquals("scalar", Dropout.inverted(0.5).scalarReference().implementation());
        assertFalse(Vectorization.reason().isBlank());
    }

    /** What a leg's expectation means on this CPU, worked out without the kernels' own width constants. */
    static String expectedImplementation(String expect) {
        if (expect.equals("scalar")) {
            return "scalar";
        }
        assertTrue(Vectorization.vectorModulePresent(), "a vector leg must run with --add-modules jdk.incubator.vector");
        int bits;
        if (expect.equals("preferred")) {
            bits = hardwareBits();
        } else if (expect.equals("capped")) {
            String requested = System.getProperty(Vectorization.WIDTH_PROPERTY);
            assertTrue(requested != null && requested.matches("128|256|512"),
                    "a capped leg must set -D" + Vectorization.WIDTH_PROPERTY + " to 128, 256 or 512, not " + requested);
            bits = Math.min(Integer.parseInt(requested), hardwareBits());
        } else if (expect.matches("vector-(128|256|512)")) {
            bits = Integer.parseInt(expect.substring("vector-".length()));
        } else {
            return fail("unknown -D" + EXPECT + "=" + expect + ": expected scalar, preferred, capped or vector-N");
        }
        // The kernels run 128, 256 and 512 bits: wider or odd (SVE) widths round down, below 128 is scalar.
        return bits < 128 ? "scalar" : "vector-" + Integer.highestOneBit(Math.min(bits, 512));
    }

    /** {@code VectorShape.preferredShape().vectorBitSize()}, reflectively: this class also runs without the module. */
    static int hardwareBits() {
        try {
            Class<?> shape = Class.forName("jdk.incubator.vector.VectorShape");
            return (Integer) shape.getMethod("vectorBitSize").invoke(shape.getMethod("preferredShape").invoke(null));
        } catch (ReflectiveOperationException e) {
            return fail("jdk.incubator.vector is not readable here", e);
        }
    }
}
