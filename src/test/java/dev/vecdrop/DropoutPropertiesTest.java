package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Tag;

/**
 * Properties over random sizes 0..5000, stream offsets up to 2^62, probabilities (ends included), seeds and both
 * scalings, on the kernels this JVM picked (the build's matrix runs them at every width). jqwik prints the seed
 * of any failing case, so it can be replayed.
 */
@Tag("matrix")
class DropoutPropertiesTest {

    @Provide
    Arbitrary<Long> streamOffsets() {
        return Arbitraries.longs().between(0, 1L << 62);
    }

    @Provide
    Arbitrary<Double> probabilities() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(0, 1),
                Arbitraries.of(0.0, 1.0, 1e-9, 1 - 1e-9, 0.5, 1e-12, 1 - 1e-12));
    }

    private static float[] inputs(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(16) == 0 ? Float.NaN : (float) random.nextGaussian() * 100;
        }
        return x;
    }

    private static int[] bits(float[] a) {
        return DropoutSemanticsTest.rawBits(a);
    }

    @Property
    void vectorKernelsEqualTheScalarReference(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                              @ForAll("probabilities") double p, @ForAll long seed, @ForAll Scaling scaling) {
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] y = new float[n];
        float[] expected = new float[n];
        long[] mask = new long[Dropout.maskWords(n)];
        long[] expectedMask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, offset, x, 0, y, 0, n, mask, 0);
        dropout.scalarReference().forward(seed, offset, x, 0, expected, 0, n, expectedMask, 0);
        assertArrayEquals(bits(expected), bits(y));
        assertArrayEquals(expectedMask, mask);
    }

    @Property
    void chunkedCallsEqualOneCall(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                  @ForAll("probabilities") double p, @ForAll long seed, @ForAll Scaling scaling) {
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] whole = new float[n];
        long[] wholeMask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, offset, x, 0, whole, 0, n, wholeMask, 0);
        float[] chunked = new float[n];
        long[] chunkedMask = new long[Dropout.maskWords(n)];
        SplittableRandom cuts = new SplittableRandom(seed ^ n);
        for (int done = 0; done < n; ) {
            // Masks are call-relative, so chunks that write masks start on word boundaries; the last may be short.
            int chunk = Math.min(n - done, 64 * (1 + cuts.nextInt(8)));
            dropout.forward(seed, offset + done, x, done, chunked, done, chunk, chunkedMask, done >>> 6);
            done += chunk;
        }
        assertArrayEquals(bits(whole), bits(chunked));
        assertArrayEquals(wholeMask, chunkedMask);
        float[] ragged = new float[n];
        for (int done = 0; done < n; ) {
            int chunk = 1 + cuts.nextInt(n - done);
            dropout.forward(seed, offset + done, x, done, ragged, done, chunk);
            done += chunk;
        }
        assertArrayEquals(bits(whole), bits(ragged));
    }

    @Property
    void inPlaceEqualsOutOfPlace(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                 @ForAll("probabilities") double p, @ForAll long seed, @ForAll Scaling scaling) {
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] out = new float[n];
        dropout.forward(seed, offset, x, 0, out, 0, n);
        float[] inPlace = x.clone();
        dropout.forward(seed, offset, inPlace, 0, inPlace, 0, n);
        assertArrayEquals(bits(out), bits(inPlace));
    }

    @Property
    void bothBackwardsEqualForwardAppliedToTheGradient(@ForAll @IntRange(max = 5000) int n,
            @ForAll("streamOffsets") long offset, @ForAll("probabilities") double p, @ForAll long seed,
            @ForAll Scaling scaling) {
        Dropout dropout = Dropout.of(p, scaling);
        float[] x = inputs(seed, n);
        float[] dy = inputs(~seed, n);
        long[] mask = new long[Dropout.maskWords(n)];
        dropout.forward(seed, offset, x, 0, new float[n], 0, n, mask, 0);
        float[] fromBits = new float[n];
        float[] regenerated = new float[n];
        float[] forwardOnDy = new float[n];
        dropout.backward(mask, 0, dy, 0, fromBits, 0, n);
        dropout.backward(seed, offset, dy, 0, regenerated, 0, n);
        dropout.forward(seed, offset, dy, 0, forwardOnDy, 0, n);
        assertArrayEquals(bits(forwardOnDy), bits(regenerated));
        assertArrayEquals(bits(forwardOnDy), bits(fromBits));
    }

    @Property
    void classicAndInvertedAgreeUpToTheScale(@ForAll @IntRange(max = 5000) int n, @ForAll("streamOffsets") long offset,
                                             @ForAll("probabilities") double p, @ForAll long seed) {
        Dropout inverted = Dropout.inverted(p);
        float[] x = inputs(seed, n);
        float[] a = new float[n];
        float[] b = new float[n];
        inverted.forward(seed, offset, x, 0, a, 0, n);
        Dropout.classic(p).forward(seed, offset, x, 0, b, 0, n);
        float s = inverted.trainScale();
        for (int i = 0; i < n; i++) {
            float expected = s == 1.0f ? b[i] : b[i] * s;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(a[i]), "element " + i);
        }
    }

    @Property
    void evalIsExact(@ForAll @IntRange(max = 5000) int n, @ForAll("probabilities") double p, @ForAll long seed) {
        float[] x = inputs(seed, n);
        float[] y = new float[n];
        Dropout.inverted(p).eval(x, 0, y, 0, n);
        assertArrayEquals(bits(x), bits(y));
        Dropout classic = Dropout.classic(p);
        classic.eval(x, 0, y, 0, n);
        float q = (float) (1 - p);
        for (int i = 0; i < n; i++) {
            float expected = q == 1.0f ? x[i] : x[i] * q;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), "element " + i);
        }
    }
}
