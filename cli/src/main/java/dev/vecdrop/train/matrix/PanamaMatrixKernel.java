package dev.vecdrop.train.matrix;

import dev.vecdrop.Vectorization;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix product with the Vector API, at the width of the library's dropout kernels
 * ({@link Vectorization#vectorBitSize()}, read once: the library picks it once per JVM). Vectors run down
 * the rows of {@code A} and {@code C} (contiguous in column-major storage); each step of the sum over {@code l}
 * is one lane-wise {@code fma} with a broadcast {@code B[l][j]}, so every element is accumulated in the same
 * order as the scalar reference and the bits match at every width.
 *
 * <p>Shape: a register tile of 3 vectors x 4 columns (12 accumulators: fits the 16 registers of AVX2 and leaves
 * AVX-512 room), then a 3-vector x 1-column tail, then 1-vector tiles, then scalar rows.
 *
 * <p>Thread-safety: stateless. Allocation: none once compiled (vectors stay in locals of static methods).
 */
public final class PanamaMatrixKernel implements MatrixKernel {

    // Only loaded when the library runs vector kernels (MatrixKernels), so the width is never 0 here.
    // static final, so C2 folds the species into the loops as a constant.
    private static final VectorSpecies<Float> FLOATS =
            FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Vectorization.vectorBitSize()));
    private static final int LANES = FLOATS.length();

    /** The shared instance; loaded reflectively by {@link MatrixKernels}, only when the Vector API is present. */
    public static final PanamaMatrixKernel INSTANCE = new PanamaMatrixKernel();

    private PanamaMatrixKernel() {}

    @Override
    public String name() {
        return "vector-" + FLOATS.vectorBitSize();
    }

    @Override
    public void multiply(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int bRowStride,
                         int bColStride, float[] c, int cOff, int ldc) {
        int i = 0;
        for (; i + 3 * LANES <= m; i += 3 * LANES) {
            threeVectorRows(i, n, k, a, aOff, lda, b, bOff, bRowStride, bColStride, c, cOff, ldc);
        }
        for (; i + LANES <= m; i += LANES) {
            oneVectorRows(i, n, k, a, aOff, lda, b, bOff, bRowStride, bColStride, c, cOff, ldc);
        }
        ScalarMatrixKernel.multiplyRows(i, m, n, k, a, aOff, lda, b, bOff, bRowStride, bColStride, c, cOff, ldc);
    }

    /** Rows {@code [i, i + 3 * LANES)} of every column. */
    private static void threeVectorRows(int i, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                        int bRowStride, int bColStride, float[] c, int cOff, int ldc) {
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            FloatVector c00 = FloatVector.zero(FLOATS), c10 = c00, c20 = c00;
            FloatVector c01 = c00, c11 = c00, c21 = c00;
            FloatVector c02 = c00, c12 = c00, c22 = c00;
            FloatVector c03 = c00, c13 = c00, c23 = c00;
            int ai = aOff + i;
            int bi = bOff + j * bColStride;
            for (int l = 0; l < k; l++, ai += lda, bi += bRowStride) {
                FloatVector a0 = FloatVector.fromArray(FLOATS, a, ai);
                FloatVector a1 = FloatVector.fromArray(FLOATS, a, ai + LANES);
                FloatVector a2 = FloatVector.fromArray(FLOATS, a, ai + 2 * LANES);
                FloatVector b0 = FloatVector.broadcast(FLOATS, b[bi]);
                c00 = a0.fma(b0, c00);
                c10 = a1.fma(b0, c10);
                c20 = a2.fma(b0, c20);
                FloatVector b1 = FloatVector.broadcast(FLOATS, b[bi + bColStride]);
                c01 = a0.fma(b1, c01);
                c11 = a1.fma(b1, c11);
                c21 = a2.fma(b1, c21);
                FloatVector b2 = FloatVector.broadcast(FLOATS, b[bi + 2 * bColStride]);
                c02 = a0.fma(b2, c02);
                c12 = a1.fma(b2, c12);
                c22 = a2.fma(b2, c22);
                FloatVector b3 = FloatVector.broadcast(FLOATS, b[bi + 3 * bColStride]);
                c03 = a0.fma(b3, c03);
                c13 = a1.fma(b3, c13);
                c23 = a2.fma(b3, c23);
            }
            int ci = cOff + i + j * ldc;
            c00.intoArray(c, ci);
            c10.intoArray(c, ci + LANES);
            c20.intoArray(c, ci + 2 * LANES);
            c01.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + LANES);
            c21.intoArray(c, ci + ldc + 2 * LANES);
            c02.intoArray(c, ci + 2 * ldc);
            c12.intoArray(c, ci + 2 * ldc + LANES);
            c22.intoArray(c, ci + 2 * ldc + 2 * LANES);
            c03.intoArray(c, ci + 3 * ldc);
            c13.intoArray(c, ci + 3 * ldc + LANES);
            c23.intoArray(c, ci + 3 * ldc + 2 * LANES);
        }
        for (; j < n; j++) {
            FloatVector c0 = FloatVector.zero(FLOATS), c1 = c0, c2 = c0;
            int ai = aOff + i;
            int bi = bOff + j * bColStride;
            for (int l = 0; l < k; l++, ai += lda, bi += bRowStride) {
                FloatVector bl = FloatVector.broadcast(FLOATS, b[bi]);
                c0 = FloatVector.fromArray(FLOATS, a, ai).fma(bl, c0);
                c1 = FloatVector.fromArray(FLOATS, a, ai + LANES).fma(bl, c1);
                c2 = FloatVector.fromArray(FLOATS, a, ai + 2 * LANES).fma(bl, c2);
            }
            c0.intoArray(c, cOff + i + j * ldc);
            c1.intoArray(c, cOff + i + j * ldc + LANES);
            c2.intoArray(c, cOff + i + j * ldc + 2 * LANES);
        }
    }

    /** Rows {@code [i, i + LANES)} of every column. */
    private static void oneVectorRows(int i, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                      int bRowStride, int bColStride, float[] c, int cOff, int ldc) {
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            FloatVector c0 = FloatVector.zero(FLOATS), c1 = c0, c2 = c0, c3 = c0;
            int ai = aOff + i;
            int bi = bOff + j * bColStride;
            for (int l = 0; l < k; l++, ai += lda, bi += bRowStride) {
                FloatVector al = FloatVector.fromArray(FLOATS, a, ai);
                c0 = al.fma(FloatVector.broadcast(FLOATS, b[bi]), c0);
                c1 = al.fma(FloatVector.broadcast(FLOATS, b[bi + bColStride]), c1);
                c2 = al.fma(FloatVector.broadcast(FLOATS, b[bi + 2 * bColStride]), c2);
                c3 = al.fma(FloatVector.broadcast(FLOATS, b[bi + 3 * bColStride]), c3);
            }
            int ci = cOff + i + j * ldc;
            c0.intoArray(c, ci);
            c1.intoArray(c, ci + ldc);
            c2.intoArray(c, ci + 2 * ldc);
            c3.intoArray(c, ci + 3 * ldc);
        }
        for (; j < n; j++) {
            FloatVector c0 = FloatVector.zero(FLOATS);
            int ai = aOff + i;
            int bi = bOff + j * bColStride;
            for (int l = 0; l < k; l++, ai += lda, bi += bRowStride) {
                c0 = FloatVector.fromArray(FLOATS, a, ai).fma(FloatVector.broadcast(FLOATS, b[bi]), c0);
            }
            c0.intoArray(c, cOff + i + j * ldc);
        }
    }
}
