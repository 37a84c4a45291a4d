package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.kernel.KernelSelector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Each test JVM of the build says which implementation it expects ({@code -Dvecdrop.test.expect=...}); this holds
 * it to that, so a leg of the matrix cannot silently test the wrong path.
 */
class SelectionTest {

    @Test
    void theExpectedImplementationWasPicked() {
        String expected = System.getProperty("vecdrop.test.expect");
        if (expected == null) {
            // Run outside the build's matrix: at least the choice must be consistent with the module's presence.
            if (Vectorization.vectorBitSize() > 0) {
                assertTrue(Vectorization.vectorModulePresent());
            }
            return;
        }
        String requested = System.getProperty(Vectorization.WIDTH_PROPERTY);
        if (requested != null && !requested.equals("scalar")) {
            // A forced width this CPU cannot run is capped (and says so): skip visibly rather than fail there.
            Assumptions.assumeTrue(KernelSelector.hardwareVectorBits() >= Integer.parseInt(requested),
                    "this CPU supports " + KernelSelector.hardwareVectorBits() + " bits, the leg asks for " + requested);
        }
        assertEquals(expected, Vectorization.implementation(), "why: " + Vectorization.reason());
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
}
