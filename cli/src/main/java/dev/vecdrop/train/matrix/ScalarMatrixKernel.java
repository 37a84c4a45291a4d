package dev.vecdrop.train.matrix;

/**
 * The reference matrix product: each element's sum of products is accumulated with {@link Math#fma} in order
 * of {@code l}, exactly as {@link MatrixKernel} defines it. The vector kernels must match it bit for bit.
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
public final class ScalarMatrixKernel implements MatrixKernel {

    /** The shared instance. */
    public static final ScalarMatrixKernel INSTANCE = new ScalarMatrixKernel();

    private ScalarMatrixKernel() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void multiply(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int bRowStride,
                         int bColStride, float[] c, int cOff, int ldc) {
        multiplyRows(0, m, n, k, a, aOff, lda, b, bOff, bRowStride, bColStride, c, cOff, ldc);
    }

    /** Rows {@code [fromRow, toRow)} of the product: the vector kernels' scalar tail. */
    public static void multiplyRows(int fromRow, int toRow, int n, int k, float[] a, int aOff, int lda, float[] b,
                                    int bOff, int bRowStride, int bColStride, float[] c, int cOff, int ldc) {
        for (int j = 0; j < n; j++) {
            int bColumn = bOff + j * bColStride;
            for (int i = fromRow; i < toRow; i++) {
                float acc = 0.0f;
                for (int l = 0; l < k; l++) {
                    acc = Math.fma(a[aOff + i + l * lda], b[bColumn + l * bRowStride], acc);
                }
                c[cOff + i + j * ldc] = acc;
            }
        }
    }
}
