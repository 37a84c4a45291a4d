package dev.vecdrop.train.matrix;
/**
 * The matrix product the example trainer needs: {@code C = A * B} for column-major {@code A} and {@code C}, with
 * {@code B} read through two strides so that {@code B}, {@code B^T} and a column-major or row-major layout are all
 * one call.
 *
 * <p>The result is defined element by element, not just up to rounding: {@code C[i][j]} is
 * {@code acc = 0; for l in 0..k-1: acc = fma(A[i][l], B[l][j], acc)}, in that order. Vector implementations
 * compute many {@code i} at once but never reorder the sum over {@code l}, so every implementation, at every
 * vector width, returns the same bits as {@link ScalarMatrixKernel}. That is what makes a
 * training run reproducible bit for bit whatever the machine's vector width.
 *
 * <p>Kernels trust their arguments (callers validate). Thread-safety: implementations are stateless and safe
 * for concurrent use on disjoint outputs. Allocation: none, once the JIT has compiled the kernel.
 */
public interface MatrixKernel {

    /** Short name for logs: {@code "scalar"} or {@code "vector-512"}. */
    String name();

    /**
     * Overwrites the {@code m x n} matrix at {@code c[cOff + i + j * ldc]} with {@code A * B}, where
     * {@code A[i][l] = a[aOff + i + l * lda]} ({@code m x k}) and
     * {@code B[l][j] = b[bOff + l * bRowStride + j * bColStride]} ({@code k x n}). With {@code k == 0} the
     * result is all {@code +0.0f}.
     */
    void multiply(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int bRowStride,
                  int bColStride, float[] c, int cOff, int ldc);
}
