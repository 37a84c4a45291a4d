package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.kernel.KernelSelector;
import org.junit.jupiter.api.Test;

/** What {@link Vectorization} reports agrees with itself and with the kernels in use, whichever leg runs it. */
class VectorizationTest {

    @Test
    void theVectorWidthIsTheOneInTheImplementationsName() {
        String name = Vectorization.implementation();
        int expected = name.equals("scalar") ? 0 : Integer.parseInt(name.substring("vector-".length()));
        assertEquals(expected, Vectorization.vectorBitSize(), name);
        assertEquals(expected, KernelSelector.kernels().vectorBitSize(), name);
    }

    @Test
    void theSelectorsChoiceIsWhatVectorizationReports() {
        assertEquals(Vectorization.implementation(), KernelSelector.choice().kernels().name());
        assertEquals(Vectorization.reason(), KernelSelector.choice().reason());
    }

    @Test
    void theModuleIsReportedPresentExactlyWhenTheBootLayerHasIt() {
        assertEquals(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                Vectorization.vectorModulePresent());
    }

    @Test
    void theHardwareWidthBoundsTheWidthInUseAndIsItWhenNothingIsForced() {
        int hardware = KernelSelector.hardwareVectorBits();
        assertTrue(hardware >= Vectorization.vectorBitSize(), hardware + " < " + Vectorization.vectorBitSize());
        if (!Vectorization.vectorModulePresent()) {
            assertEquals(0, hardware);
        } else if (System.getProperty(Vectorization.WIDTH_PROPERTY) == null && Vectorization.vectorBitSize() > 0) {
            assertEquals(Vectorization.vectorBitSize(), hardware, Vectorization.reason());
        }
    }

    @Test
    void theReferenceReportsNoVectorWidth() {
        assertEquals(0, dev.vecdrop.kernel.DropoutKernels.SCALAR.vectorBitSize());
        assertEquals("scalar", dev.vecdrop.kernel.DropoutKernels.SCALAR.name());
    }
}
