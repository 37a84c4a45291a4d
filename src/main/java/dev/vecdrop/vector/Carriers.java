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
 * <p>A call whose data segments are all native (file-mapped ones included) goes to a third twin,
 * {@code Vector<Type>SegmentKernelsNative}, with the element type's own vectors: not for the vector type, but so
 * that the element kernels see heap data and the twin native data, each of one class (a JVM that ran heap and
 * native data through one class of kernels compiled every segment loop 5-50 times slower; docs/quality.md, stop 33).
 *
 * <p>Thread-safety: stateless. Allocation: none.
 */
final class Carriers {

    /** The class of heap segments over a {@code byte[]}. */
    static final Class<? extends MemorySegment> BYTES = MemorySegment.ofArray(new byte[0]).getClass();
    /** The class of heap segments over a {@code float[]}. */
    static final Class<? extends MemorySegment> FLOATS = MemorySegment.ofArray(new float[0]).getClass();

    /**
     * The class of native segments ({@code NativeMemorySegmentImpl}: what {@code Arena.allocate},
     * {@code MemorySegment.ofAddress} and direct buffers give).
     */
    static final Class<? extends MemorySegment> NATIVE = MemorySegment.NULL.getClass();
    /**
     * The class of file-mapped segments ({@code FileChannel.map} into an arena), a subclass of {@link #NATIVE} that
     * keeps its base ({@code null}), or {@code null} where this JDK has no such class. Looked up by name because no
     * segment of it can be made without a file; loading a class of a package the JDK does not export is allowed.
     * Left on the element kernels, such data ran 5-7 times slower after {@code WarmUp.run()} (a review helper's
     * probe, stop 33).
     */
    static final Class<?> MAPPED = mappedClass();

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

    /**
     * Whether the first segment (always there) and every other one there is native ({@link #NATIVE} or
     * {@link #MAPPED}, compared by {@code getClass()}: see {@link #isOf}): such a call
     * goes to the native twin of the segment kernels, so that each class of kernels sees data of one class (see
     * {@code Vector<Type>SegmentKernelsNative}).
     */
    static boolean allNative(MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        return a != null && isNativeData(a) && nativeOrAbsent(b) && nativeOrAbsent(c) && nativeOrAbsent(d);
    }

    private static boolean nativeOrAbsent(MemorySegment s) {
        return s == null || isNativeData(s);
    }

    private static boolean isNativeData(MemorySegment s) {
        Class<?> c = s.getClass();
        return c == NATIVE || c == MAPPED;
    }

    private static Class<?> mappedClass() {
        try {
            return Class.forName("jdk.internal.foreign.MappedMemorySegmentImpl", false, null);
        } catch (ClassNotFoundException e) {
            return null; // another JDK's layout: mapped segments stay on the element kernels
        }
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
