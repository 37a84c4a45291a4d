package dev.vecdrop.verify;

import dev.vecdrop.Dropout;
import dev.vecdrop.FusedDropout;
import dev.vecdrop.MaskStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The tensor forms the verifier runs besides float32 arrays: an element type and a buffer kind, each with the
 * {@link Dropout} calls of that form. Reference calls always run on plain arrays ({@link #FLOAT_ARRAY} or
 * {@link #DOUBLE_ARRAY}); buffers are compared as bytes, so one comparison serves every form.
 *
 * <p>Thread-safety: stateless constants. Allocation: buffers per call; not a hot path.
 */
enum Forms {
    FLOAT_ARRAY(Float.BYTES, Kind.ARRAY),
    DOUBLE_ARRAY(Double.BYTES, Kind.ARRAY),
    FLOAT_HEAP_SEGMENT(Float.BYTES, Kind.HEAP),
    FLOAT_NATIVE_SEGMENT(Float.BYTES, Kind.NATIVE),
    DOUBLE_HEAP_SEGMENT(Double.BYTES, Kind.HEAP),
    DOUBLE_NATIVE_SEGMENT(Double.BYTES, Kind.NATIVE),
    FLOAT_CARRIED_SEGMENT(Float.BYTES, Kind.CARRIED),
    DOUBLE_CARRIED_SEGMENT(Double.BYTES, Kind.CARRIED);

    /**
     * Where a buffer lives: see {@link #segment} for the segments' backing and alignment. {@code CARRIED}: heap
     * segments over the arrays the vector kernels have twins for ({@code byte[]}; {@code float[]} under float64)
     * and native ones, mixed in one call.
     */
    enum Kind { ARRAY, HEAP, NATIVE, CARRIED }

    /** Bytes before and after a native segment's slice that must stay as they were. */
    static final int GUARD_BYTES = 16;
    private static final byte GUARD_BYTE = (byte) 0xA5;

    final int elementBytes;
    final Kind kind;

    Forms(int elementBytes, Kind kind) {
        this.elementBytes = elementBytes;
        this.kind = kind;
    }

    /** The array form whose reference calls this form is compared with. */
    Forms reference() {
        return elementBytes == Float.BYTES ? FLOAT_ARRAY : DOUBLE_ARRAY;
    }

    boolean isSegment() {
        return kind != Kind.ARRAY;
    }

    /** Which typed API a form's calls go through: derived from its element type and kind, so no call lists forms. */
    private enum Api { FLOAT_ARRAY, DOUBLE_ARRAY, FLOAT_SEGMENT, DOUBLE_SEGMENT }

    private Api api() {
        boolean floats = elementBytes == Float.BYTES;
        return isSegment() ? (floats ? Api.FLOAT_SEGMENT : Api.DOUBLE_SEGMENT)
                : (floats ? Api.FLOAT_ARRAY : Api.DOUBLE_ARRAY);
    }

    /** A data buffer of this form holding {@code content}'s bytes; native blocks are added to {@code natives}. */
    Object data(Arena arena, MemorySegment content, List<MemorySegment> natives) {
        return switch (api()) {
            case FLOAT_ARRAY -> content.toArray(ValueLayout.JAVA_FLOAT);
            case DOUBLE_ARRAY -> content.toArray(ValueLayout.JAVA_DOUBLE);
            case FLOAT_SEGMENT -> segment(arena, kind, content, float.class, natives);
            case DOUBLE_SEGMENT -> segment(arena, kind, content, double.class, natives);
        };
    }

    /** A mask buffer of this form holding {@code words}. */
    Object mask(Arena arena, long[] words, List<MemorySegment> natives) {
        return isSegment() ? segment(arena, kind, MemorySegment.ofArray(words), long.class, natives) : words.clone();
    }

    /** The bytes of a buffer made by {@link #data} or {@link #mask}, for comparison. */
    static MemorySegment bytes(Object buffer) {
        return switch (buffer) {
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case MemorySegment s -> s;
            default -> throw new IllegalArgumentException(String.valueOf(buffer));
        };
    }

    /**
     * A segment with {@code content}'s bytes. A native one is a slice of a larger block, one byte past an 8-byte
     * boundary, filled with guard bytes that {@link #guardsIntact} checks afterwards. A heap data segment is over an
     * array of its element type ({@code float[]} or {@code double[]}, one element in: what
     * {@code MemorySegment.ofArray} gives users, and what the vector kernels make an exact class, see
     * {@code VectorFloatSegmentKernels}) or over a {@code long[]}, one byte past an 8-byte boundary (unaligned, an
     * array of another type: the kernels' path without the exact class), picked by a bit of a hash of its contents
     * and length, so that both meet every length and the buffers of one case mix them; a mask is over a
     * {@code long[]}, one byte in. A {@code CARRIED} data segment is, by two more bits of that hash, native (half
     * the time) or over a {@code byte[]}, one byte in (float32), or over a {@code byte[]} (one byte in) or a
     * {@code float[]} (one float in; float64, a quarter each): so the twins meet calls over their array alone and
     * beside native segments, and float64 calls mixing both arrays go to the element kernels. A {@code CARRIED}
     * mask is native.
     *
     * @param element {@code float.class} or {@code double.class} for data, {@code long.class} for a mask
     */
    private static MemorySegment segment(Arena arena, Kind kind, MemorySegment content, Class<?> element,
                                         List<MemorySegment> natives) {
        long size = content.byteSize();
        MemorySegment s;
        long hash = contentHash(content);
        int carrierPick = (int) (hash >>> 62); // 0 to 3
        if (kind == Kind.CARRIED && element != long.class && carrierPick < 2) {
            s = overArray(element == double.class && carrierPick == 1 ? float.class : byte.class, size);
        } else if (kind == Kind.HEAP && element != long.class && (hash & 1) == 0) {
            s = overArray(element, size);
        } else if (kind == Kind.HEAP) {
            s = MemorySegment.ofArray(new long[(int) ((size + 1 + 7) / 8)]).asSlice(1, size);
        } else {
            MemorySegment block = arena.allocate(size + 2L * GUARD_BYTES + 1, 8);
            block.fill(GUARD_BYTE);
            natives.add(block);
            s = block.asSlice(GUARD_BYTES + 1, size);
        }
        s.copyFrom(content);
        return s;
    }

    /** {@code size} bytes of a heap segment over an array of {@code element}s, one element in. */
    private static MemorySegment overArray(Class<?> element, long size) {
        if (element == byte.class) {
            return MemorySegment.ofArray(new byte[(int) size + 1]).asSlice(1, size);
        }
        if (element == float.class) {
            return MemorySegment.ofArray(new float[(int) (size / Float.BYTES) + 1]).asSlice(Float.BYTES, size);
        }
        return MemorySegment.ofArray(new double[(int) (size / Double.BYTES) + 1]).asSlice(Double.BYTES, size);
    }

    /** {@code mix64} over the buffer's length and its first and last 8 bytes: deterministic, no state. */
    private static long contentHash(MemorySegment content) {
        long size = content.byteSize();
        long h = size;
        if (size >= Long.BYTES) {
            h ^= MaskStream.mix64(content.get(ValueLayout.JAVA_LONG_UNALIGNED, 0))
                    + content.get(ValueLayout.JAVA_LONG_UNALIGNED, size - Long.BYTES);
        }
        return MaskStream.mix64(h);
    }

    /** Whether the guard bytes around the slice of a native block made by {@link #segment} are untouched. */
    static boolean guardsIntact(MemorySegment block) {
        long end = block.byteSize() - GUARD_BYTES;
        for (long i = 0; i < block.byteSize(); i++) {
            if ((i <= GUARD_BYTES || i >= end) && block.get(ValueLayout.JAVA_BYTE, i) != GUARD_BYTE) {
                return false;
            }
            if (i == GUARD_BYTES) {
                i = end - 1; // skip the slice
            }
        }
        return true;
    }

    void forward(Dropout d, long seed, long so, Object x, int xo, Object y, int yo, int n) {
        switch (api()) {
            case FLOAT_ARRAY -> d.forward(seed, so, (float[]) x, xo, (float[]) y, yo, n);
            case DOUBLE_ARRAY -> d.forward(seed, so, (double[]) x, xo, (double[]) y, yo, n);
            case FLOAT_SEGMENT ->
                    d.floatSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) y, yo, n);
            case DOUBLE_SEGMENT ->
                    d.doubleSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) y, yo, n);
        }
    }

    void forward(Dropout d, long seed, long so, Object x, int xo, Object y, int yo, int n, Object m, int mo) {
        switch (api()) {
            case FLOAT_ARRAY -> d.forward(seed, so, (float[]) x, xo, (float[]) y, yo, n, (long[]) m, mo);
            case DOUBLE_ARRAY -> d.forward(seed, so, (double[]) x, xo, (double[]) y, yo, n, (long[]) m, mo);
            case FLOAT_SEGMENT -> d.floatSegments().forward(seed, so, (MemorySegment) x,
                    xo, (MemorySegment) y, yo, n, (MemorySegment) m, mo);
            case DOUBLE_SEGMENT -> d.doubleSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) y, yo, n,
                    (MemorySegment) m, mo);
        }
    }

    void mask(Dropout d, long seed, long so, Object m, int mo, int n) {
        switch (api()) {
            case FLOAT_ARRAY, DOUBLE_ARRAY -> d.mask(seed, so, (long[]) m, mo, n);
            case FLOAT_SEGMENT -> d.floatSegments().mask(seed, so, (MemorySegment) m, mo, n);
            case DOUBLE_SEGMENT -> d.doubleSegments().mask(seed, so, (MemorySegment) m, mo, n);
        }
    }

    void backward(Dropout d, long seed, long so, Object dy, int o, Object dx, int dxo, int n) {
        switch (api()) {
            case FLOAT_ARRAY -> d.backward(seed, so, (float[]) dy, o, (float[]) dx, dxo, n);
            case DOUBLE_ARRAY -> d.backward(seed, so, (double[]) dy, o, (double[]) dx, dxo, n);
            case FLOAT_SEGMENT ->
                    d.floatSegments().backward(seed, so, (MemorySegment) dy, o, (MemorySegment) dx, dxo, n);
            case DOUBLE_SEGMENT ->
                    d.doubleSegments().backward(seed, so, (MemorySegment) dy, o, (MemorySegment) dx, dxo, n);
        }
    }

    void backward(Dropout d, Object m, int mo, Object dy, int o, Object dx, int dxo, int n) {
        switch (api()) {
            case FLOAT_ARRAY -> d.backward((long[]) m, mo, (float[]) dy, o, (float[]) dx, dxo, n);
            case DOUBLE_ARRAY -> d.backward((long[]) m, mo, (double[]) dy, o, (double[]) dx, dxo, n);
            case FLOAT_SEGMENT -> d.floatSegments().backward((MemorySegment) m, mo,
                    (MemorySegment) dy, o, (MemorySegment) dx, dxo, n);
            case DOUBLE_SEGMENT -> d.doubleSegments().backward((MemorySegment) m, mo, (MemorySegment) dy, o,
                    (MemorySegment) dx, dxo, n);
        }
    }

    void eval(Dropout d, Object x, int xo, Object y, int yo, int n) {
        switch (api()) {
            case FLOAT_ARRAY -> d.eval((float[]) x, xo, (float[]) y, yo, n);
            case DOUBLE_ARRAY -> d.eval((double[]) x, xo, (double[]) y, yo, n);
            case FLOAT_SEGMENT ->
                    d.floatSegments().eval((MemorySegment) x, xo, (MemorySegment) y, yo, n);
            case DOUBLE_SEGMENT -> d.doubleSegments().eval((MemorySegment) x, xo, (MemorySegment) y, yo, n);
        }
    }

    /** The fused forward ({@link FusedDropout}), with a mask when {@code m} is not null. */
    void fusedForward(FusedDropout f, long seed, long so, Object x, int xo, Object b, int bo, Object y, int yo, int n,
                      int features, Object m, int mo) {
        switch (api()) {
            case FLOAT_ARRAY -> {
                if (m == null) {
                    f.forward(seed, so, (float[]) x, xo, (float[]) b, bo, (float[]) y, yo, n, features);
                } else {
                    f.forward(seed, so, (float[]) x, xo, (float[]) b, bo, (float[]) y, yo, n, features, (long[]) m, mo);
                }
            }
            case DOUBLE_ARRAY -> {
                if (m == null) {
                    f.forward(seed, so, (double[]) x, xo, (double[]) b, bo, (double[]) y, yo, n, features);
                } else {
                    f.forward(seed, so, (double[]) x, xo, (double[]) b, bo, (double[]) y, yo, n, features,
                            (long[]) m, mo);
                }
            }
            case FLOAT_SEGMENT -> {
                if (m == null) {
                    f.floatSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) b, bo,
                            (MemorySegment) y, yo, n, features);
                } else {
                    f.floatSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) b, bo,
                            (MemorySegment) y, yo, n, features, (MemorySegment) m, mo);
                }
            }
            case DOUBLE_SEGMENT -> {
                if (m == null) {
                    f.doubleSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) b, bo,
                            (MemorySegment) y, yo, n, features);
                } else {
                    f.doubleSegments().forward(seed, so, (MemorySegment) x, xo, (MemorySegment) b, bo,
                            (MemorySegment) y, yo, n, features, (MemorySegment) m, mo);
                }
            }
        }
    }

    /** The fused backward with the bias gradient. */
    void fusedBackward(FusedDropout f, long seed, long so, Object y, Object dy, Object dx, int o, int n, int features,
                       Object db, int dbo) {
        switch (api()) {
            case FLOAT_ARRAY -> f.backward(seed, so, (float[]) y, o, (float[]) dy, o, (float[]) dx, o, n, features,
                    (float[]) db, dbo);
            case DOUBLE_ARRAY -> f.backward(seed, so, (double[]) y, o, (double[]) dy, o, (double[]) dx, o, n, features,
                    (double[]) db, dbo);
            case FLOAT_SEGMENT -> f.floatSegments().backward(seed, so, (MemorySegment) y, o,
                    (MemorySegment) dy, o, (MemorySegment) dx, o, n, features, (MemorySegment) db, dbo);
            case DOUBLE_SEGMENT -> f.doubleSegments().backward(seed, so, (MemorySegment) y, o, (MemorySegment) dy, o,
                    (MemorySegment) dx, o, n, features, (MemorySegment) db, dbo);
        }
    }

    /** The fused residual forward. */
    void fusedResidual(FusedDropout f, long seed, long so, Object x, Object r, Object y, int o, int n) {
        switch (api()) {
            case FLOAT_ARRAY -> f.residualForward(seed, so, (float[]) x, o, (float[]) r, o, (float[]) y, o, n);
            case DOUBLE_ARRAY -> f.residualForward(seed, so, (double[]) x, o, (double[]) r, o, (double[]) y, o, n);
            case FLOAT_SEGMENT -> f.floatSegments().residualForward(seed, so,
                    (MemorySegment) x, o, (MemorySegment) r, o, (MemorySegment) y, o, n);
            case DOUBLE_SEGMENT -> f.doubleSegments().residualForward(seed, so, (MemorySegment) x, o,
                    (MemorySegment) r, o, (MemorySegment) y, o, n);
        }
    }
}
