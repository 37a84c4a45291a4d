package dev.vecdrop.smile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Dropout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import smile.math.MathEx;
import smile.model.mlp.Layer;
import smile.tensor.Vector;

/**
 * vecdrop's Smile layers against the library: each forward is the library's inverted dropout over the layer's next
 * window of its stream, bit for bit, and each backward the library's backward with that window's mask; plus seeds,
 * serialization, threads and bad input. None of these needs Smile's BLAS (the training test does).
 */
class VecdropLayerTest {

    private static final int N = 100;
    private static final double P = 0.3;
    private static final long SEED = 42;

    @Test
    void eachForwardIsTheLibrarysDropoutOverTheLayersNextWindow() {
        VecdropHiddenLayer layer = VecdropLayer.rectifier(N, P).seed(SEED).build(10);
        Dropout dropout = Dropout.inverted(P);
        SplittableRandom random = new SplittableRandom(1);
        for (int call = 0; call < 3; call++) {
            float[] x = values(random, N);
            set(layer.output(), x);
            layer.propagateDropout();
            float[] expected = new float[N];
            dropout.forward(SEED, (long) call * N, x, 0, expected, 0, N);
            assertArrayEquals(bits(expected), bits(layer.output()), "call " + call);
            assertEquals(call + 1, layer.forwardCalls());
        }
    }

    @Test
    void theBackwardRegeneratesTheMaskOfTheLastForward() {
        VecdropHiddenLayer layer = VecdropLayer.leaky(N, P, 0.1).seed(SEED).build(10);
        Dropout dropout = Dropout.inverted(P);
        SplittableRandom random = new SplittableRandom(2);
        for (int call = 0; call < 3; call++) {
            set(layer.output(), values(random, N));
            layer.propagateDropout();
            float[] dy = values(random, N);
            set(layer.gradient(), dy);
            layer.backpopagateDropout();
            float[] expected = new float[N];
            dropout.backward(SEED, (long) call * N, dy, 0, expected, 0, N);
            assertArrayEquals(bits(expected), bits(layer.gradient()), "call " + call);
        }
    }

    @Test
    void theInputLayerDropsItsCopyOfTheInput() {
        VecdropInputLayer layer = VecdropLayer.input(N, 0.2).seed(7).build(0);
        float[] x = values(new SplittableRandom(3), N);
        Vector input = Vector.column(x.clone());
        for (int call = 0; call < 2; call++) {
            layer.propagate(input);
            layer.propagateDropout();
            float[] expected = new float[N];
            Dropout.inverted(0.2).forward(7, (long) call * N, x, 0, expected, 0, N);
            assertArrayEquals(bits(expected), bits(layer.output()), "call " + call);
        }
        assertArrayEquals(x, input.toArray(new float[0]), "the caller's input is not touched");
    }

    @Test
    void smilesSeedMakesTheMasksReproducibleAndEachLayerHasItsOwn() {
        MathEx.setSeed(5);
        VecdropHiddenLayer a = VecdropLayer.rectifier(N, P).build(10);
        VecdropInputLayer b = VecdropLayer.input(N, P).build(0);
        MathEx.setSeed(5);
        VecdropHiddenLayer a2 = VecdropLayer.rectifier(N, P).build(10);
        VecdropInputLayer b2 = VecdropLayer.input(N, P).build(0);
        assertEquals(a.seed(), a2.seed());
        assertEquals(b.seed(), b2.seed());
        assertNotEquals(a.seed(), b.seed());
        VecdropHiddenLayerBuilder fixed = VecdropLayer.tanh(N, P).seed(9);
        assertEquals(9, fixed.build(3).seed());
        assertEquals(9, fixed.build(4).seed());
    }

    @Test
    void withoutDropoutNothingChanges() {
        VecdropHiddenLayer layer = VecdropLayer.sigmoid(N).build(10);
        float[] x = values(new SplittableRandom(4), N);
        set(layer.output(), x);
        layer.propagateDropout();
        set(layer.gradient(), x);
        layer.backpopagateDropout();
        assertArrayEquals(bits(x), bits(layer.output()));
        assertArrayEquals(bits(x), bits(layer.gradient()));
        assertEquals(0, layer.forwardCalls());
    }

    @Test
    void aProbabilityOutsideZeroToOneIsRejectedWhereItIsNamed() {
        for (double p : new double[] {-0.1, 1.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertRejects(() -> VecdropLayer.rectifier(N, p), p);
            assertRejects(() -> VecdropLayer.input(N, p), p);
            assertRejects(() -> VecdropLayer.leaky(N, p, 0.2), p);
            assertRejects(() -> VecdropLayer.linear(N, p), p);
        }
    }

    @Test
    void aLayerWithoutNeuronsOrInputsIsRejectedBeforeASeedIsDrawn() {
        for (int n : new int[] {0, -1}) {
            assertThrows(IllegalArgumentException.class, () -> VecdropLayer.rectifier(n, P));
            assertThrows(IllegalArgumentException.class, () -> VecdropLayer.input(n, P));
        }
        MathEx.setSeed(3);
        long expected = MathEx.randomLong();
        MathEx.setSeed(3);
        assertThrows(IllegalArgumentException.class, () -> VecdropLayer.rectifier(N, P).build(0));
        assertEquals(expected, MathEx.randomLong(), "a failed build drew from Smile's generator");
    }

    @Test
    void anInputLayerHasNoBackward() {
        VecdropInputLayer layer = VecdropLayer.input(N, 0.2).seed(7).build(0);
        assertThrows(UnsupportedOperationException.class, layer::backpopagateDropout);
    }

    private static void assertRejects(Supplier<?> factory, double p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, factory::get, "p = " + p);
        assertTrue(e.getMessage().contains("dropout must be in [0, 1)"), e.getMessage());
    }

    @Test
    void aBackwardOnAThreadWithoutAForwardIsAnErrorAndWritesNothing() {
        VecdropHiddenLayer layer = VecdropLayer.rectifier(N, P).seed(SEED).build(10);
        float[] dy = values(new SplittableRandom(5), N);
        set(layer.gradient(), dy);
        IllegalStateException e = assertThrows(IllegalStateException.class, layer::backpopagateDropout);
        assertTrue(e.getMessage().contains("no forward"), e.getMessage());
        assertArrayEquals(bits(dy), bits(layer.gradient()));
    }

    @Test
    void eachThreadsBackwardTakesTheMaskOfItsOwnForward() throws Exception {
        VecdropHiddenLayer layer = VecdropLayer.rectifier(N, P).seed(SEED).build(10);
        float[] dy = values(new SplittableRandom(6), N);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            other.submit(() -> {
                set(layer.output(), dy);
                layer.propagateDropout(); // window 0
            }).get();
            set(layer.output(), dy);
            layer.propagateDropout(); // this thread: window N
            float[] otherGradient = other.submit(() -> {
                set(layer.gradient(), dy);
                layer.backpopagateDropout();
                return layer.gradient().toArray(new float[0]);
            }).get();
            float[] expected = new float[N];
            Dropout.inverted(P).backward(SEED, 0, dy, 0, expected, 0, N);
            assertArrayEquals(bits(expected), bits(otherGradient));
        } finally {
            other.shutdown();
        }
    }

    @Test
    void aRestoredLayerDrawsTheMasksItsOriginalWouldHaveDrawnNext() throws Exception {
        VecdropHiddenLayer layer = VecdropLayer.rectifier(N, P).seed(SEED).build(10);
        float[] x = values(new SplittableRandom(7), N);
        for (int call = 0; call < 3; call++) {
            set(layer.output(), x);
            layer.propagateDropout();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(layer);
        }
        Object read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            read = in.readObject();
        }
        VecdropHiddenLayer restored = assertInstanceOf(VecdropHiddenLayer.class, read);
        assertEquals(SEED, restored.seed());
        assertEquals(3, restored.forwardCalls());
        set(layer.output(), x);
        layer.propagateDropout();
        set(restored.output(), x);
        restored.propagateDropout();
        assertArrayEquals(bits(layer.output()), bits(restored.output()));
        set(restored.gradient(), x);
        restored.backpopagateDropout(); // the restored layer's transient state works in both directions
        float[] expected = new float[N];
        Dropout.inverted(P).backward(SEED, 3L * N, x, 0, expected, 0, N);
        assertArrayEquals(bits(expected), bits(restored.gradient()));
    }

    @Test
    void smilesOwnLayerFactoriesAndOursTakeTheSameArguments() {
        // The one-line switch: the same call with Layer replaced by VecdropLayer builds the same shape.
        assertEquals(Layer.rectifier(N, P).neurons(), VecdropLayer.rectifier(N, P).neurons());
        assertEquals(Layer.input(N, P).build(0).getOutputSize(), VecdropLayer.input(N, P).build(0).getOutputSize());
        assertEquals(Layer.tanh(N, P).build(7).getInputSize(), VecdropLayer.tanh(N, P).build(7).getInputSize());
    }

    static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    static void set(Vector v, float[] values) {
        for (int i = 0; i < values.length; i++) {
            v.set(i, values[i]);
        }
    }

    static int[] bits(Vector v) {
        return bits(v.toArray(new float[0]));
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
