package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaxNormTest {

    @Test
    void unitsOverTheBoundAreScaledExactlyAndOthersAreUntouched() {
        int units = 40;
        int fanIn = 37; // past every vector width's tail
        float c = 3.5f;
        SplittableRandom random = new SplittableRandom(3);
        float[] w = new float[5 + units * fanIn];
        for (int i = 0; i < w.length; i++) { // every other unit is large: norm about 9 against about 1.2
            w[i] = (float) (random.nextGaussian() * (((i - 5) / fanIn) % 2 == 0 ? 0.2 : 1.5));
        }
        float[] before = w.clone();
        int projected = MaxNorm.project(w, 5, units, fanIn, c);
        int expectedProjected = 0;
        for (int u = 0; u < units; u++) {
            int start = 5 + u * fanIn;
            double sum = 0;
            for (int i = start; i < start + fanIn; i++) {
                sum += (double) before[i] * before[i];
            }
            double norm = Math.sqrt(sum);
            float factor = (float) (c / norm);
            double after = 0;
            for (int i = start; i < start + fanIn; i++) {
                float expected = norm > c ? before[i] * factor : before[i];
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(w[i]), "unit " + u + " element " + i);
                after += (double) w[i] * w[i];
            }
            assertTrue(Math.sqrt(after) <= c * (1 + 1e-6), "unit " + u + " norm " + Math.sqrt(after));
            expectedProjected += norm > c ? 1 : 0;
        }
        assertEquals(expectedProjected, projected);
        assertTrue(projected > 0 && projected < units, "the data should exercise both cases: " + projected);
        assertArrayEquals(java.util.Arrays.copyOf(before, 5), java.util.Arrays.copyOf(w, 5), "outside the region");
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingIsWritten() {
        float[] w = {10, 10, 10, 10};
        float[] copy = w.clone();
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(w, 0, 2, 2, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(w, 0, 2, 2, 0f));
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(w, 0, 2, 2, Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(w, 0, -1, 2, 1f));
        assertThrows(IndexOutOfBoundsException.class, () -> MaxNorm.project(w, 1, 2, 2, 1f));
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(w, 0, 1 << 20, 1 << 20, 1f));
        assertThrows(NullPointerException.class, () -> MaxNorm.project(null, 0, 1, 1, 1f));
        assertArrayEquals(copy, w);
    }

    /**
     * {@code [3, 2]} at {@code c = 1} stays 2.4e-8 relative above the bound after its projection, and its next factor
     * rounds to exactly 1: a multiply that changes nothing, which until stop 31 was counted again on every call
     * (found by a review helper).
     */
    @Test
    void aProjectedUnitWhoseFactorRoundsToOneIsNotCountedAgain() {
        float[] w = {3, 2};
        assertEquals(1, MaxNorm.project(w, 0, 1, 2, 1f));
        float[] projected = w.clone();
        double norm = Math.sqrt((double) w[0] * w[0] + (double) w[1] * w[1]);
        assertTrue(norm > 1 && (float) (1 / norm) == 1f, "the case this test is about: norm " + norm);
        assertEquals(0, MaxNorm.project(w, 0, 1, 2, 1f), "a factor of 1 scales nothing down");
        assertArrayEquals(projected, w);
    }

    @Test
    void aUnitExactlyOnTheBoundIsNeitherCountedNorTouched() {
        // Norms of exactly 5 (3-4-5 triangles, summed exactly in double): inside the closed ball, so not projected.
        float[] w = {3, 4, -0.0f, -5, 3, 4.0000005f};
        float[] before = w.clone();
        assertEquals(1, MaxNorm.project(w, 0, 3, 2, 5f), "only the third unit is over the bound");
        for (int i = 0; i < 4; i++) {
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(w[i]), "element " + i);
        }
    }

    @Test
    void noUnitsAndUnitsOfNoWeightsAreValidAndChangeNothing() {
        float[] w = {10, 10, 10};
        float[] copy = w.clone();
        assertEquals(0, MaxNorm.project(w, 0, 0, 3, 1f));
        assertEquals(0, MaxNorm.project(w, 3, 0, 7, 1f));
        assertEquals(0, MaxNorm.project(w, 0, 5, 0, 1f)); // an empty unit has norm 0
        assertArrayEquals(copy, w);
    }

    @Test
    void aNegativeFanInIsRejected() {
        float[] w = {10, 10, 10, 10};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(w, 0, 2, -1, 1f));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void exactlyIntMaxWeightsIsAnArraySizeAndOnlyTheRegionCheckRejectsIt() {
        // 2^31 - 1 weights fit an int length, so the region check (not the size check) must be what fails.
        assertThrows(IndexOutOfBoundsException.class, () -> MaxNorm.project(new float[4], 0, 1, Integer.MAX_VALUE, 1f));
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.project(new float[4], 0, 2, 1 << 30, 1f));
    }
}
