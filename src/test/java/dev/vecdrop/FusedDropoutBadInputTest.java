package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every bad argument of the fused kernels is rejected with its exception before anything is written: the outputs
 * are filled with a sentinel and must hold it after each rejected call.
 */
class FusedDropoutBadInputTest {

    private static final float SENTINEL = -12345.5f;
    private static final long MASK_SENTINEL = 0x0123_4567_89ab_cdefL;
    private static final int FEATURES = 20;
    private static final int N = 4 * FEATURES;

    private final FusedDropout fused = FusedDropout.of(Dropout.inverted(0.5), Activation.leakyRelu(0.1f));
    private final float[] x = new float[N];
    private final float[] bias = new float[FEATURES];
    private final float[] y = new float[N];
    private final float[] dx = new float[N];
    private final float[] dBias = new float[FEATURES];
    private final long[] mask = new long[Dropout.maskWords(N)];

    FusedDropoutBadInputTest() {
        Arrays.fill(x, 1f);
        Arrays.fill(bias, 0.5f);
    }

    @Test
    void badForwardArgumentsThrowBeforeWriting() {
        rejects(NullPointerException.class, () -> fused.forward(1, 0, null, 0, bias, 0, y, 0, N, FEATURES));
        rejects(NullPointerException.class, () -> fused.forward(1, 0, x, 0, null, 0, y, 0, N, FEATURES));
        rejects(NullPointerException.class, () -> fused.forward(1, 0, x, 0, bias, 0, null, 0, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, () -> fused.forward(1, 0, x, 1, bias, 0, y, 0, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, () -> fused.forward(1, 0, x, 0, bias, 0, y, 1, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, () -> fused.forward(1, 0, x, 0, bias, 1, y, 0, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, () -> fused.forward(1, 0, x, 0, bias, -1, y, 0, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, // bias too short for the features
                () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, N, 2 * FEATURES));
        rejects(IllegalArgumentException.class, () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, N, 0));
        rejects(IllegalArgumentException.class, () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, N, -FEATURES));
        rejects(IllegalArgumentException.class, // features do not divide the length
                () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, N - 1, FEATURES));
        rejects(IllegalArgumentException.class, () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, -FEATURES, FEATURES));
        rejects(IllegalArgumentException.class, () -> fused.forward(1, -1, x, 0, bias, 0, y, 0, N, FEATURES));
        rejects(IllegalArgumentException.class,
                () -> fused.forward(1, Long.MAX_VALUE - 5, x, 0, bias, 0, y, 0, N, FEATURES));
        rejects(IllegalArgumentException.class, // bias is the output
                () -> fused.forward(1, 0, x, 0, y, 0, y, 0, N, FEATURES));
        rejects(IllegalArgumentException.class, // partial overlap of x and y
                () -> fused.forward(1, 0, y, 0, bias, 0, y, FEATURES, N - FEATURES, FEATURES));
        rejects(NullPointerException.class, () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, N, FEATURES, null, 0));
        rejects(IndexOutOfBoundsException.class,
                () -> fused.forward(1, 0, x, 0, bias, 0, y, 0, N, FEATURES, mask, 1));
    }

    @Test
    void badBackwardAndResidualArgumentsThrowBeforeWriting() {
        rejects(NullPointerException.class,
                () -> fused.backward(1, 0, null, 0, x, 0, dx, 0, N, FEATURES, dBias, 0));
        rejects(IndexOutOfBoundsException.class,
                () -> fused.backward(1, 0, x, 0, x, 1, dx, 0, N, FEATURES, dBias, 0));
        rejects(IndexOutOfBoundsException.class, // dBias too short
                () -> fused.backward(1, 0, x, 0, x, 0, dx, 0, N, FEATURES, dBias, 1));
        rejects(IllegalArgumentException.class, // dBias is dx
                () -> fused.backward(1, 0, x, 0, x, 0, dx, 0, FEATURES, FEATURES, dx, 0));
        rejects(IllegalArgumentException.class,
                () -> fused.backward(1, 0, x, 0, dx, 0, dx, 1, N - 1 - 19, FEATURES, dBias, 0));
        rejects(IllegalArgumentException.class,
                () -> fused.backward(1, 0, x, 0, x, 0, dx, 0, N - 1, FEATURES, dBias, 0));
        rejects(NullPointerException.class, () -> fused.residualForward(1, 0, x, 0, null, 0, y, 0, N));
        rejects(IndexOutOfBoundsException.class, () -> fused.residualForward(1, 0, x, 0, bias, 0, y, 0, N));
        rejects(IllegalArgumentException.class, () -> fused.residualForward(1, 0, y, 0, x, 0, y, 1, N - 1));
        rejects(IllegalArgumentException.class, () -> fused.residualForward(1, -2, x, 0, x, 0, y, 0, N));
        rejects(IndexOutOfBoundsException.class, () -> fused.residualBackward(1, 0, x, 0, dx, 1, N));
    }

    /** The segment forms (views over the same arrays, so {@link #rejects} sees any write) and the float64 arrays. */
    @Test
    void badSegmentAndFloat64ArgumentsThrowBeforeWriting() {
        FusedFloatSegmentDropout seg = fused.floatSegments();
        MemorySegment sx = MemorySegment.ofArray(x);
        MemorySegment sb = MemorySegment.ofArray(bias);
        MemorySegment sy = MemorySegment.ofArray(y);
        MemorySegment sdx = MemorySegment.ofArray(dx);
        MemorySegment sdb = MemorySegment.ofArray(dBias);
        MemorySegment sm = MemorySegment.ofArray(mask);
        rejects(NullPointerException.class, () -> seg.forward(1, 0, null, 0, sb, 0, sy, 0, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, () -> seg.forward(1, 0, sx, 0, sb, 0, sy, 1, N, FEATURES));
        rejects(IndexOutOfBoundsException.class, () -> seg.forward(1, 0, sx, 0, sb, 1, sy, 0, N, FEATURES));
        rejects(IllegalArgumentException.class, () -> seg.forward(1, 0, sx, 0, sb, 0, sy, 0, N, 0));
        rejects(IllegalArgumentException.class, () -> seg.forward(1, 0, sx, 0, sb, 0, sy, 0, N - 1, FEATURES));
        rejects(IllegalArgumentException.class, () -> seg.forward(1, 0, sx, 0, sb, 0, sy.asReadOnly(), 0, N,
                FEATURES));
        rejects(IllegalArgumentException.class, // the bias shares memory with the output
                () -> seg.forward(1, 0, sx, 0, sy, 0, sy, 0, N, FEATURES));
        rejects(IllegalArgumentException.class, // the mask shares memory with the output
                () -> seg.forward(1, 0, sx, 0, sb, 0, sy, 0, N, FEATURES, sy, 0));
        rejects(IndexOutOfBoundsException.class, () -> seg.forward(1, 0, sx, 0, sb, 0, sy, 0, N, FEATURES, sm, 1));
        rejects(IllegalArgumentException.class, // dBias shares memory with dx
                () -> seg.backward(1, 0, sy, 0, sx, 0, sdx, 0, N, FEATURES, sdx, 0));
        rejects(IndexOutOfBoundsException.class,
                () -> seg.backward(1, 0, sy, 0, sx, 0, sdx, 0, N, FEATURES, sdb, 1));
        rejects(IllegalArgumentException.class, () -> seg.residualForward(1, -1, sx, 0, sb, 0, sy, 0, FEATURES));
        rejects(IllegalArgumentException.class, () -> seg.residualForward(1, 0, sy, 0, sx, 0, sy, 1, N - 1));
        Arena arena = Arena.ofConfined();
        MemorySegment closed = arena.allocate((long) N * Float.BYTES);
        arena.close();
        rejects(IllegalStateException.class, () -> seg.forward(1, 0, closed, 0, sb, 0, sy, 0, N, FEATURES));
        double[] dX = new double[N];
        double[] dBiasDoubles = new double[FEATURES];
        double[] dY = new double[N];
        Arrays.fill(dY, SENTINEL);
        double[] before = dY.clone();
        for (Executable call : new Executable[] {
                () -> fused.forward(1, 0, dX, 0, dBiasDoubles, 0, dY, 1, N, FEATURES),
                () -> fused.forward(1, 0, dX, 0, dBiasDoubles, 1, dY, 0, N, FEATURES),
                () -> fused.forward(1, 0, dX, 0, dY, 0, dY, 0, N, FEATURES),
                () -> fused.backward(1, 0, dX, 0, dX, 0, dY, 0, N, FEATURES, dY, 0),
                () -> fused.residualForward(1, 0, dX, 0, dY, 0, dY, 1, N - 1)}) {
            assertThrows(RuntimeException.class, call);
            assertArrayEquals(before, dY, "float64 output was written");
        }
    }

    @Test
    void badConstructionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(-0.1f));
        assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(-0.0f)); // accepted until stop 30
        assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(Float.POSITIVE_INFINITY));
        assertThrows(NullPointerException.class, () -> FusedDropout.of(null, Activation.relu()));
        assertThrows(NullPointerException.class, () -> FusedDropout.of(Dropout.inverted(0.5), null));
        assertThrows(IllegalArgumentException.class, () -> FusedDropout.of(Dropout.alpha(0.1), Activation.relu()));
        assertThrows(IllegalArgumentException.class, () -> FusedDropout.of(
                Dropout.inverted(0.5).perChannel(ChannelLayout.channelsLast(4, 5)), Activation.relu()));
    }

    private void rejects(Class<? extends Throwable> type, Executable call) {
        Arrays.fill(y, SENTINEL);
        Arrays.fill(dx, SENTINEL);
        Arrays.fill(dBias, SENTINEL);
        Arrays.fill(mask, MASK_SENTINEL);
        float[] ys = y.clone();
        float[] xs = x.clone();
        float[] biases = bias.clone();
        assertThrows(type, call);
        assertArrayEquals(ys, y, "y was written");
        assertArrayEquals(ys, dx, "dx was written");
        assertArrayEquals(Arrays.copyOf(ys, FEATURES), dBias, "dBias was written");
        long[] masks = new long[mask.length];
        Arrays.fill(masks, MASK_SENTINEL);
        assertArrayEquals(masks, mask, "mask was written");
        assertArrayEquals(xs, x, "x was written");
        assertArrayEquals(biases, bias, "bias was written");
    }
}
