package dev.vecdrop.train.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecdrop.Vectorization;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The active matrix kernel (whatever width this JVM picked or was forced to) against the scalar reference, bit for
 * bit, over every row count past the 1- and 3-vector tile boundaries of every width, column counts past the
 * 4-column tile, the three stride patterns the trainer uses, offsets, and guard cells that must stay untouched.
 */
@Tag("matrix")
class MatrixKernelTest {

    private static final MatrixKernel ACTIVE = MatrixKernels.active();
    private static final float GUARD = Float.intBitsToFloat(0x7fc0_beef);

    @Test
    void theMatrixKernelHasTheDropoutKernelsWidth() {
        assertEquals(Vectorization.implementation(), ACTIVE.name());
    }

    @Test
    void activeKernelMatchesTheReferenceBitForBit() {
        SplittableRandom random = new SplittableRandom(42);
        int cases = 0;
        int[] rows = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 95, 96, 97, 100};
        for (int m : rows) {
            for (int n = 0; n <= 9; n++) {
                for (int k : new int[] {0, 1, 2, 5, 33}) {
                    for (int layout = 0; layout < 3; layout++) {
                        check(m, n, k, layout, random);
                        cases++;
                    }
                }
            }
        }
        for (int[] shape : new int[][] {{784, 100, 40}, {1024, 13, 100}, {10, 100, 1024}, {257, 6, 257}}) {
            for (int layout = 0; layout < 3; layout++) {
                check(shape[0], shape[1], shape[2], layout, random);
                cases++;
            }
        }
        assertTrue(cases > 4_000, "too few cases: " + cases);
    }

    @Test
    void theReferenceIsAMatrixProduct() {
        SplittableRandom random = new SplittableRandom(7);
        int m = 37, n = 11, k = 53;
        float[] a = values(m * k, random);
        float[] b = values(k * n, random);
        float[] c = new float[m * n];
        ScalarMatrixKernel.INSTANCE.multiply(m, n, k, a, 0, m, b, 0, 1, k, c, 0, m);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double magnitude = 0;
                for (int l = 0; l < k; l++) {
                    exact += (double) a[i + l * m] * b[l + j * k];
                    magnitude += Math.abs((double) a[i + l * m] * b[l + j * k]);
                }
                assertEquals(exact, c[i + j * m], 1e-6 * magnitude + 1e-30, "C[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void theComparisonSeesAMultiplyThenAddKernel() {
        // A kernel that rounds the product before adding gives other bits: the bit-for-bit check above can fail.
        SplittableRandom random = new SplittableRandom(3);
        int m = 16, n = 4, k = 64;
        float[] a = values(m * k, random);
        float[] b = values(k * n, random);
        float[] fused = new float[m * n];
        ScalarMatrixKernel.INSTANCE.multiply(m, n, k, a, 0, m, b, 0, 1, k, fused, 0, m);
        int differing = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int l = 0; l < k; l++) {
                    acc += a[i + l * m] * b[l + j * k];
                }
                differing += Float.floatToRawIntBits(acc) != Float.floatToRawIntBits(fused[i + j * m]) ? 1 : 0;
            }
        }
        assertTrue(differing > m * n / 4, "only " + differing + " of " + m * n + " elements differ");
    }

    /**
     * layout 0: B column-major (k x n); 1: B read as the transpose of a row-major n x k matrix, as dW = A delta^T
     * does; 2: B^T column-major with padding between columns.
     */
    private static void check(int m, int n, int k, int layout, SplittableRandom random) {
        int aOff = random.nextInt(5);
        int lda = m + random.nextInt(3);
        int bOff = random.nextInt(5);
        int rowStride;
        int colStride;
        switch (layout) {
            case 0 -> { rowStride = 1; colStride = k + random.nextInt(2); }
            case 1 -> { rowStride = n; colStride = 1; }
            default -> { rowStride = n + 2; colStride = 1; }
        }
        int cOff = 1 + random.nextInt(5);
        int ldc = m + random.nextInt(3);
        float[] a = values(aOff + lda * Math.max(k, 1) + 3, random);
        float[] b = values(bOff + Math.max(k, 1) * Math.max(rowStride, 1) + Math.max(n, 1) * Math.max(colStride, 1) + 3, random);
        float[] expected = guarded(cOff + ldc * n + 4);
        float[] actual = guarded(expected.length);
        ScalarMatrixKernel.INSTANCE.multiply(m, n, k, a, aOff, lda, b, bOff, rowStride, colStride, expected, cOff, ldc);
        ACTIVE.multiply(m, n, k, a, aOff, lda, b, bOff, rowStride, colStride, actual, cOff, ldc);
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(ACTIVE.name() + " differs from the reference at c[" + i + "] for m=" + m + " n=" + n + " k=" + k
                        + " layout " + layout + ": " + actual[i] + " vs " + expected[i]);
            }
        }
        for (int j = 0; j < n; j++) {
            for (int i = m; i < ldc; i++) { // padding rows between columns are not part of C
                assertEquals(Float.floatToRawIntBits(GUARD), Float.floatToRawIntBits(actual[cOff + i + j * ldc]));
            }
        }
        assertEquals(Float.floatToRawIntBits(GUARD), Float.floatToRawIntBits(actual[cOff - 1]));
    }

    /** Mixed magnitudes and signs, some exact zeros of both signs, so rounding differences would show. */
    private static float[] values(int length, SplittableRandom random) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(20);
            v[i] = switch (kind) {
                case 0 -> 0.0f;
                case 1 -> -0.0f;
                case 2 -> (float) (random.nextDouble() * 1e-3);
                case 3 -> (float) (random.nextDouble(-1e3, 1e3));
                default -> (float) random.nextGaussian();
            };
        }
        return v;
    }

    private static float[] guarded(int length) {
        float[] c = new float[length];
        java.util.Arrays.fill(c, GUARD);
        return c;
    }
}
