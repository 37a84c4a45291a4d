package dev.vecdrop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The -Dvecdrop.vector.bits switch as a pure function of its value (the JVM reads the real one once). */
class WidthRequestTest {

    @Test
    void understoodValuesParseToTheirWidthWhateverTheirCaseAndSpaces() {
        assertEquals(WidthRequest.PREFERRED, WidthRequest.parse(null));
        assertEquals(WidthRequest.SCALAR, WidthRequest.parse("scalar"));
        assertEquals(WidthRequest.SCALAR, WidthRequest.parse(" Scalar "));
        assertEquals(128, WidthRequest.parse("128"));
        assertEquals(256, WidthRequest.parse(" 256"));
        assertEquals(512, WidthRequest.parse("512 "));
    }

    @Test
    void anythingElseMeansPreferredAndOnlyANonBlankValueCountsAsInvalid() {
        for (String ignored : new String[] {"64", "1024", "avx2", "0", "-1"}) {
            assertEquals(WidthRequest.PREFERRED, WidthRequest.parse(ignored), ignored);
            assertTrue(WidthRequest.isInvalid(ignored), ignored);
        }
        for (String valid : new String[] {null, "", "  ", "scalar", "128", "256", "512"}) {
            assertFalse(WidthRequest.isInvalid(valid), String.valueOf(valid));
        }
    }

    @Test
    void thisJvmsRequestIsConsistent() {
        assertEquals(System.getProperty(WidthRequest.PROPERTY), WidthRequest.RAW);
        assertEquals(WidthRequest.parse(WidthRequest.RAW), WidthRequest.BITS);
        assertEquals(WidthRequest.isInvalid(WidthRequest.RAW), WidthRequest.isInvalid());
    }
}
