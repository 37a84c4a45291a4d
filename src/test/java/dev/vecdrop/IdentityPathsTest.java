package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The paths that copy instead of computing (inverted eval, keep-all forward) skip the copy only for the very same
 * region; a different array at the same offset must still be written. Also what a dropout calls itself.
 */
class IdentityPathsTest {

    @Test
    void identityPathsCopyIntoAnotherArrayAtTheSameOffset() {
        float[] x = DropoutSemanticsTest.inputs(40, 12);
        for (int offset : new int[] {0, 7}) {
            float[] y = new float[x.length];
            Dropout.inverted(0.3).eval(x, offset, y, offset, 20);
            assertArrayEquals(DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(x, offset, offset + 20)),
                    DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(y, offset, offset + 20)),
                    "inverted eval at offset " + offset);
            for (Dropout keepAll : new Dropout[] {Dropout.inverted(0.0), Dropout.classic(0.0)}) {
                float[] z = new float[x.length];
                keepAll.forward(3, 5, x, offset, z, offset, 20);
                assertArrayEquals(DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(x, offset, offset + 20)),
                        DropoutSemanticsTest.rawBits(java.util.Arrays.copyOfRange(z, offset, offset + 20)),
                        keepAll + " forward at offset " + offset);
            }
        }
    }

    @Test
    void toStringNamesProbabilityScalingAndKernels() {
        Dropout dropout = Dropout.classic(0.25);
        assertEquals("Dropout[p=0.25, CLASSIC, elementwise, " + Vectorization.implementation() + "]",
                dropout.toString());
        assertEquals("Dropout[p=0.25, CLASSIC, elementwise, scalar]", dropout.scalarReference().toString());
        assertEquals("Dropout[p=0.25, CLASSIC, channelsLast(S=7, C=3), scalar]",
                dropout.scalarReference().perChannel(ChannelLayout.channelsLast(7, 3)).toString());
    }
}
