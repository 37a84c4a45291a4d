package dev.vecdrop.vector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Which segment kernels a call's data segments go to. JDK 25's C2 compiles a float or double vector load or store
 * of a heap segment only when the segment is over an array of that element type; over any other array (a
 * {@code byte[]}, as {@code MemorySegment.ofBuffer(ByteBuffer.allocate(n))} gives) the Vector API falls back to
 * Java code that boxes every vector. A vector of the array's own type, reinterpreted, compiles: the kernels'
 * twins {@code Vector<Type>SegmentKernelsOver<Array>} do that, and this class says when they apply.
 *
 * <p>A twin takes a call only when every data segment is over its array type or native (native segments have no
 * array type, and compile under any vector type), with at least one over its array type; a call that mixes heap
 * segments over different arrays stays on the element-type kernels. The reinterpretation reads lanes in
 * little-endian order, which is the segments' native order only on a little-endian platform: elsewhere no twin
 * applies.
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
final class Carriers {

    /** The class of heap segments over a {@code byte[]}. */
    static final Class<? extends MemorySegment> BYTES = MemorySegment.ofArray(new byte[0]).getClass();
    /** The class of heap segments over a {@code float[]}. */
    static final Class<? extends MemorySegment> FLOATS = MemorySegment.ofArray(new float[0]).getClass();

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private Carriers() {}

    /**
     * Whether at least one of the segments is of class {@code heap} ({@link #BYTES} or {@link #FLOATS}: final
     * classes), and every other one is too, native, or {@code null} (absent). The class tests come first: a call
     * with no such segment costs four of them.
     */
    static boolean allOverOrNative(Class<? extends MemorySegment> heap, MemorySegment a, MemorySegment b,
                                   MemorySegment c, MemorySegment d) {
        return (isOf(heap, a) || isOf(heap, b) || isOf(heap, c) || isOf(heap, d))
                && LITTLE_ENDIAN
                && overOrNative(heap, a) && overOrNative(heap, b) && overOrNative(heap, c) && overOrNative(heap, d);
    }

    private static boolean overOrNative(Class<? extends MemorySegment> heap, MemorySegment s) {
        return s == null || isOf(heap, s) || s.isNative();
    }

    /**
     * {@code heap.isInstance(s)} for a final {@code heap}, written as a {@code getClass()} comparison: with
     * {@code isInstance} here, the kernel's own heap test after this one failed a class speculation
     * ({@code speculate_class_check}) in every new compilation that inlined a segment kernel, 44-63 times a warm-up,
     * and late where a request reached a compilation the warm-up had not run; with this comparison, none was
     * measured. Why C2 speculated so was not found (docs/quality.md, stop 29).
     */
    private static boolean isOf(Class<? extends MemorySegment> heap, MemorySegment s) {
        return s != null && s.getClass() == heap;
    }
}
