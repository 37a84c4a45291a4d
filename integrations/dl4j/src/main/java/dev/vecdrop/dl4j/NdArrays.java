package dev.vecdrop.dl4j;

import dev.vecdrop.Dropout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a vecdrop layer over INDArrays: in place over ND4J's off-heap buffer where the elements lie contiguously in
 * c order, else through one detached c-order copy freed before returning. Every layer of this package goes through
 * {@link #apply(SegmentOp, INDArray, INDArray)}: dropout, alpha and spatial dropout, gaussian dropout and noise.
 *
 * <p>Thread-safety: stateless apart from the log-once flag. Allocation: no copy of the data on the contiguous path
 * (a few small objects per call: the segment views, the caller's operation).
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

    /** One layer call over float32 ({@code doubles} false) or float64 segments of {@code n} elements, in c order. */
    interface SegmentOp {
        void run(MemorySegment x, MemorySegment y, long n, boolean doubles);
    }

    /**
     * {@code out = keep ? in * s : +0.0} for every element {@code i} in c order, with the keep decision of stream
     * element {@code streamOffset + i} of {@code seed}.
     */
    static void apply(Dropout dropout, long seed, long streamOffset, INDArray in, INDArray out, boolean backward) {
        apply((x, y, n, doubles) -> run(dropout, seed, streamOffset, x, y, n, doubles, backward), in, out);
    }

    /**
     * Runs {@code op} from {@code in}'s elements to {@code out}'s, c order: straight over both buffers where both are
     * contiguous c-order arrays of the output's type, else over one detached c-order copy (float64 for a DOUBLE
     * output, else float32) that is assigned to {@code out} and freed.
     */
    @SuppressWarnings("try") // the out-of-workspace scope is entered for its effect on the allocation below
    static void apply(SegmentOp op, INDArray in, INDArray out) {
        DataType type = check(in, out);
        long n = out.length();
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("an array of " + n + " elements exceeds the " + MAX_ELEMENTS
                    + " elements one call's stream window holds");
        }
        if (n == 0) {
            return;
        }
        boolean inDirect = in.dataType() == type && contiguous(in);
        if (inDirect && contiguous(out)) {
            op.run(segment(in, type), segment(out, type), n, type == DataType.DOUBLE);
            return;
        }
        logCopy(inDirect ? out : in); // the array that forced the copy
        DataType work = type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray copy = Nd4j.createUninitializedDetached(work, 'c', in.shape());
            try {
                copy.assign(in);
                MemorySegment s = segment(copy, work);
                op.run(s, s, n, work == DataType.DOUBLE);
                out.assign(copy);
            } finally {
                copy.close();
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
                            boolean doubles, boolean backward) {
        if (doubles) {
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
