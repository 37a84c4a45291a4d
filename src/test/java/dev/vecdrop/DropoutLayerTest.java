package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DropoutLayerTest {

    @Test
    void forwardAdvancesTheStreamAndBackwardRegeneratesTheSameMask() {
        Dropout dropout = Dropout.inverted(0.5);
        DropoutLayer layer = new DropoutLayer(dropout, 1234);
        float[] x = DropoutSemanticsTest.inputs(301, 1);
        float[] y1 = new float[301];
        float[] y2 = new float[301];
        assertEquals(0, layer.forward(x, 0, y1, 0, 301));
        long second = layer.forward(x, 0, y2, 0, 301);
        assertEquals(301, second);
        assertEquals(602, layer.position());

        float[] expected = new float[301];
        dropout.forward(1234, 301, x, 0, expected, 0, 301);
        assertArrayEquals(DropoutSemanticsTest.rawBits(expected), DropoutSemanticsTest.rawBits(y2));

        float[] dx = new float[301];
        layer.backward(second, x, 0, dx, 0, 301);
        assertArrayEquals(DropoutSemanticsTest.rawBits(y2), DropoutSemanticsTest.rawBits(dx));
    }

    @Test
    void evalDoesNotMoveTheStream() {
        DropoutLayer layer = new DropoutLayer(Dropout.classic(0.2), 1);
        layer.eval(new float[5], 0, new float[5], 0, 5);
        assertEquals(0, layer.position());
    }

    @Test
    void seekReplaysAStep() {
        DropoutLayer layer = new DropoutLayer(Dropout.inverted(0.3), 9);
        float[] x = DropoutSemanticsTest.inputs(100, 2);
        float[] first = new float[100];
        float[] replay = new float[100];
        long[] mask = new long[2];
        layer.forward(x, 0, first, 0, 100, mask, 0);
        layer.seek(0);
        layer.forward(x, 0, replay, 0, 100);
        assertArrayEquals(DropoutSemanticsTest.rawBits(first), DropoutSemanticsTest.rawBits(replay));
        assertThrows(IllegalArgumentException.class, () -> layer.seek(-1));
    }
}
