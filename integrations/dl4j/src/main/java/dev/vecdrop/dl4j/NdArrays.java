package dev.vecdrop.dl4j;

import dev.vecdrop.Dropout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a vecdrop {@link Dropout} over INDArrays: in place over ND4J's off-heap buffer where the elements lie
 * contiguously in c order, else through one detached c-order copy freed before returning.
 *
 * <p>Layers that take Java arrays only run through {@link #applyOnHeap}: a heap copy in and out.
 *
 * <p>Thread-safety: stateless apart from the log-once flag. Allocation: none on the contiguous path of
 * {@link #apply}; one heap array per call of {@link #applyOnHeap}.
 */
final class NdArrays {

    /** One call's window of stream elements (see {@link VecdropDropout}): the most elements one array may have. */
    static final long MAX_ELEMENTS = 1L << 32;

    private static final System.Logger LOG = System.getLogger(NdArrays.class.getName());
    private static final AtomicBoolean COPY_LOGGED = new AtomicBoolean();
    /** Calls that went through a copy, for the tests that check the contiguous path makes none. */
    private static final AtomicLong COPIES = new AtomicLong();

    private NdArrays() {
    }

    /**
     * {@code out = keep ? in * s : +0.0} for every element {@code i} in c order, with the keep decision of stream
     * element {@code streamOffset + i} of {@code seed}.
     */
    @SuppressWarnings("try") // the out-of-workspace scope is entered for its effect on the allocation below
    static void apply(Dropout dropout, long seed, long streamOffset, INDArray in, INDArray out, boolean backward) {
        DataType type = check(in, out);
        long n = out.length();
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("an array of " + n + " elements exceeds the " + MAX_ELEMENTS
                    + " elements one call's stream window holds");
        }
        if (n == 0) {
            return;
        }
        if (in.dataType() == type && contiguous(in) && contiguous(out)) {
            run(dropout, seed, streamOffset, segment(in, type), segment(out, type), n, type, backward);
            return;
        }
        logCopy(in);
        DataType work = type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray copy = Nd4j.createUninitializedDetached(work, 'c', in.shape());
            try {
                copy.assign(in);
                MemorySegment s = segment(copy, work);
                run(dropout, seed, streamOffset, s, s, n, work, backward);
                out.assign(copy);
            } finally {
                copy.close();
            }
        }
    }

    /** One operation over a float32 or float64 heap region {@code [0, n)}, in place. */
    interface HeapOp {
        void floats(float[] a, int n);

        void doubles(double[] a, int n);
    }

    /** The most elements {@link #applyOnHeap} takes: the largest Java array. */
    static final long MAX_HEAP_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * Runs {@code op} over a heap copy of {@code in}'s elements in c order (float64 for a DOUBLE output, else float32)
     * and writes the result to {@code out}: for library layers that take Java arrays only (gaussian dropout and
     * noise). The heap array is allocated per call; a contiguous FLOAT or DOUBLE array is copied straight from and to
     * its off-heap buffer, any other through one more detached c-order copy, as in {@link #apply}.
     */
    @SuppressWarnings("try") // the out-of-workspace scope is entered for its effect on the allocations below
    static void applyOnHeap(HeapOp op, INDArray in, INDArray out) {
        DataType type = check(in, out);
        long n = out.length();
        if (n > MAX_HEAP_ELEMENTS) {
            throw new IllegalArgumentException("an array of " + n + " elements exceeds the " + MAX_HEAP_ELEMENTS
                    + " elements of the heap copy this layer goes through");
        }
        if (n == 0) {
            return;
        }
        DataType work = type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        ValueLayout layout = work == DataType.DOUBLE ? ValueLayout.JAVA_DOUBLE : ValueLayout.JAVA_FLOAT;
        Object heap = work == DataType.DOUBLE ? new double[(int) n] : new float[(int) n];
        MemorySegment heapSegment = work == DataType.DOUBLE
                ? MemorySegment.ofArray((double[]) heap) : MemorySegment.ofArray((float[]) heap);
        boolean inDirect = in.dataType() == work && contiguous(in);
        boolean outDirect = out.dataType() == work && contiguous(out);
        if (!inDirect || !outDirect) {
            logCopy(inDirect ? out : in);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (inDirect) {
                MemorySegment.copy(segment(in, work), 0, heapSegment, 0, n * layout.byteSize());
            } else {
                INDArray copy = Nd4j.createUninitializedDetached(work, 'c', in.shape());
                try {
                    copy.assign(in);
                    MemorySegment.copy(segment(copy, work), 0, heapSegment, 0, n * layout.byteSize());
                } finally {
                    copy.close();
                }
            }
            if (work == DataType.DOUBLE) {
                op.doubles((double[]) heap, (int) n);
            } else {
                op.floats((float[]) heap, (int) n);
            }
            if (outDirect) {
                MemorySegment.copy(heapSegment, 0, segment(out, work), 0, n * layout.byteSize());
            } else {
                INDArray copy = Nd4j.createUninitializedDetached(work, 'c', out.shape());
                try {
                    MemorySegment.copy(heapSegment, 0, segment(copy, work), 0, n * layout.byteSize());
                    out.assign(copy);
                } finally {
                    copy.close();
                }
            }
        }
    }

    /** {@return how many calls have gone through a copy in this JVM} */
    static long copies() {
        return COPIES.get();
    }

    private static DataType check(INDArray in, INDArray out) {
        Objects.requireNonNull(in, "input");
        Objects.requireNonNull(out, "output");
        DataType type = out.dataType();
        if (!type.isFPType()) {
            throw new IllegalArgumentException("dropout needs a floating-point output, got " + type);
        }
        if (!Arrays.equals(in.shape(), out.shape())) {
            throw new IllegalArgumentException("input shape " + Arrays.toString(in.shape())
                    + " differs from output shape " + Arrays.toString(out.shape()));
        }
        return type;
    }

    private static void logCopy(INDArray in) {
        COPIES.incrementAndGet();
        if (COPY_LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "vecdrop-dl4j: a {0} array, shape {1}, order {2}, strides {3}, goes "
                    + "through a c-order copy: only contiguous c-order FLOAT and DOUBLE arrays run without one. "
                    + "Logged once.", in.dataType(), Arrays.toString(in.shape()), in.ordering(),
                    Arrays.toString(in.stride()));
        }
    }

    private static void run(Dropout dropout, long seed, long streamOffset, MemorySegment x, MemorySegment y, long n,
                            DataType type, boolean backward) {
        if (type == DataType.DOUBLE) {
            if (backward) {
                dropout.doubleSegments().backward(seed, streamOffset, x, 0, y, 0, n);
            } else {
                dropout.doubleSegments().forward(seed, streamOffset, x, 0, y, 0, n);
            }
        } else if (backward) {
            dropout.floatSegments().backward(seed, streamOffset, x, 0, y, 0, n);
        } else {
            dropout.floatSegments().forward(seed, streamOffset, x, 0, y, 0, n);
        }
    }

    /**
     * Whether element {@code i} in c order is element {@code i} of the array's buffer: strides are c order's
     * (dimensions of size 1 may have any stride), FLOAT or DOUBLE, and the buffer holds them all. A view's buffer
     * starts at the view's first element, so a range of rows qualifies.
     */
    static boolean contiguous(INDArray x) {
        DataType type = x.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return false;
        }
        long[] shape = x.shape();
        long[] stride = x.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return x.data().length() >= x.length();
    }

    @SuppressWarnings("restricted") // ND4J's buffer, sized from the array: the JVM is run with native access
    private static MemorySegment segment(INDArray x, DataType type) {
        long bytes = x.length() * (type == DataType.DOUBLE ? Double.BYTES : Float.BYTES);
        return MemorySegment.ofAddress(x.data().addressPointer().address()).reinterpret(bytes);
    }
}
