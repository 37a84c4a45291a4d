package dev.vecdrop.kernel;

import static dev.vecdrop.kernel.WidthChoice.NONE;
import static dev.vecdrop.kernel.WidthChoice.chooseBits;
import static dev.vecdrop.kernel.WidthChoice.reason;
import static dev.vecdrop.kernel.WidthRequest.PREFERRED;
import static dev.vecdrop.kernel.WidthRequest.SCALAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The width rule on every request and every hardware width, including ones no build machine has: the matrix
 * legs only see the branch their CPU reaches (an AVX-512 machine never caps a 512-bit request).
 */
class WidthChoiceTest {

    private static final int[] HARDWARE = {0, 64, 127, 128, 129, 192, 255, 256, 257, 384, 511, 512, 513, 1024, 2048};

    @Test
    void scalarRequestIsScalarOnEveryHardware() {
        for (int hardware : HARDWARE) {
            assertEquals(NONE, chooseBits(SCALAR, hardware), "hardware " + hardware);
            assertEquals("-Dvecdrop.vector.bits=scalar forces the scalar reference", reason(SCALAR, hardware));
        }
    }

    @Test
    void preferredIsTheHardwareWidth() {
        assertEquals(128, chooseBits(PREFERRED, 128));
        assertEquals(256, chooseBits(PREFERRED, 256));
        assertEquals(512, chooseBits(PREFERRED, 512));
        assertEquals("preferred vector size on this CPU and JVM", reason(PREFERRED, 256));
    }

    @Test
    void aForcedWidthTheHardwareHasIsUsedAsIs() {
        assertEquals(128, chooseBits(128, 128)); // exactly equal
        assertEquals(128, chooseBits(128, 256));
        assertEquals(128, chooseBits(128, 512));
        assertEquals(256, chooseBits(256, 256)); // exactly equal
        assertEquals(256, chooseBits(256, 512));
        assertEquals(512, chooseBits(512, 512)); // exactly equal
        assertEquals("forced by -Dvecdrop.vector.bits=256; preferred on this CPU: 512", reason(256, 512));
        assertEquals("forced by -Dvecdrop.vector.bits=512; preferred on this CPU: 512", reason(512, 512));
    }

    @Test
    void aForcedWidthAboveTheHardwareIsCappedAndSaysSo() {
        assertEquals(256, chooseBits(512, 256)); // AVX2 asked for AVX-512
        assertEquals(128, chooseBits(512, 128)); // NEON asked for AVX-512
        assertEquals(128, chooseBits(256, 128));
        assertEquals("-Dvecdrop.vector.bits=512 asked for more than the 256 bits this CPU and JVM support",
                reason(512, 256));
        assertEquals("-Dvecdrop.vector.bits=256 asked for more than the 128 bits this CPU and JVM support",
                reason(256, 128));
    }

    @Test
    void hardwareBelow128BitsGivesScalarWhateverIsAsked() {
        for (int requested : new int[] {PREFERRED, 128, 256, 512}) {
            for (int hardware : new int[] {0, 64, 127}) {
                assertEquals(NONE, chooseBits(requested, hardware), requested + " on " + hardware);
                assertEquals("the CPU's preferred vector size is " + hardware + " bits, below the 128 needed",
                        reason(requested, hardware));
            }
        }
    }

    @Test
    void widthsTheKernelsDoNotRunAreRoundedDown() {
        // SVE allows any multiple of 128 up to 2048; the kernels' lane tables stop at 512 and F must divide 64.
        assertEquals(512, chooseBits(PREFERRED, 1024));
        assertEquals(512, chooseBits(PREFERRED, 2048));
        assertEquals(512, chooseBits(512, 1024));
        assertEquals(256, chooseBits(PREFERRED, 384));
        assertEquals(256, chooseBits(512, 384));
        assertEquals(256, chooseBits(256, 384));
        assertEquals(128, chooseBits(PREFERRED, 255));
        assertEquals(256, chooseBits(PREFERRED, 511));
        assertEquals(512, chooseBits(PREFERRED, 513));
        assertEquals("preferred vector size on this CPU and JVM; rounded down to 512, the widest the kernels run",
                reason(PREFERRED, 1024));
        assertEquals("-Dvecdrop.vector.bits=512 asked for more than the 384 bits this CPU and JVM support;"
                + " rounded down to 256, the widest the kernels run", reason(512, 384));
        assertEquals("forced by -Dvecdrop.vector.bits=256; preferred on this CPU: 384", reason(256, 384));
    }

    @Test
    void everyAnswerIsAWidthTheKernelsRunOrNone() {
        for (int requested : new int[] {SCALAR, PREFERRED, 128, 256, 512}) {
            for (int hardware : HARDWARE) {
                int bits = chooseBits(requested, hardware);
                assertTrue(bits == NONE || bits == 128 || bits == 256 || bits == 512, requested + " on " + hardware);
                assertTrue(bits <= Math.max(hardware, 0), "never wider than the hardware: " + requested + " on " + hardware);
                if (requested > 0) {
                    assertTrue(bits <= requested, "never wider than asked: " + requested + " on " + hardware);
                }
                assertFalse(reason(requested, hardware).isBlank());
            }
        }
    }
}
