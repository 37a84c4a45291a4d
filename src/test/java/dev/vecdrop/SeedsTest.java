package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeedsTest {

    @Test
    void derivedSeedsAreTheDrawsOfASplittableRandomSeededWithTheMixedMaster() {
        long master = 2024;
        SplittableRandom random = new SplittableRandom(MaskStream.mix64(master));
        for (int layer = 0; layer < 100; layer++) {
            assertEquals(random.nextLong(), Seeds.derive(master, layer));
        }
    }

    @Test
    void derivedSeedsAreDistinctAcrossLayersAndMasters() {
        Set<Long> seen = new HashSet<>();
        for (long master = 0; master < 100; master++) {
            for (int layer = 0; layer < 100; layer++) {
                seen.add(Seeds.derive(master, layer));
            }
        }
        assertEquals(10_000, seen.size());
    }

    @Test
    void negativeIndexIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Seeds.derive(1, -1));
    }
}
