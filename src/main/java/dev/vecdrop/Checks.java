package dev.vecdrop;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks shared by every entry point, run before anything is written. Messages name the argument
 * and the offending values; string building happens only on the failure path, so a passing check allocates
 * nothing.
 *
 * <p>Thread-safety: stateless.
 */
final class Checks {

    private Checks() {}

    static void region(String name, float[] array, int offset, int length) {
        bounds(name, notNull(name, array).length, offset, length);
    }

    static void region(String name, double[] array, int offset, int length) {
        bounds(name, notNull(name, array).length, offset, length);
    }

    private static <T> T notNull(String name, T array) {
        if (array == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return array;
    }

    private static void bounds(String name, int arrayLength, int offset, int length) {
        if (offset < 0 || offset > arrayLength - length) {
            throw outOfBounds(name, offset, length, arrayLength);
        }
    }

    static void maskRegion(String name, long[] mask, int offset, int length) {
        if (mask == null) {
            throw new NullPointerException(name + " must not be null");
        }
        int words = Dropout.maskWords(length);
        if (offset < 0 || offset > mask.length - words) {
            throw new IndexOutOfBoundsException(name + ": " + words + " words for " + length
                    + " decisions from offset " + offset + " do not fit in length " + mask.length);
        }
    }

    /** In-place ({@code a == b}, same offset) is fine; any other overlap would read already-written output. */
    static void noPartialOverlap(String aName, Object a, int aOff, String bName, Object b, int bOff, int length) {
        if (a == b && aOff != bOff && Math.abs((long) aOff - bOff) < length) {
            throw new IllegalArgumentException(aName + " [" + aOff + ", " + ((long) aOff + length) + ") and "
                    + bName + " [" + bOff + ", " + ((long) bOff + length)
                    + ") overlap partially in one array; use the same offset for in-place");
        }
    }

    static void length(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
    }

    /**
     * A call that uses {@code n} stream elements from {@code streamOffset}: an element each element-wise, a decision
     * (or normal) each per channel, so the message counts stream elements, not the call's length.
     */
    static void stream(long streamOffset, long n) {
        if (streamOffset < 0 || streamOffset > Long.MAX_VALUE - n) {
            throw new IllegalArgumentException("stream offset must be in [0, 2^63 - 1 - n] for a call of n stream "
                    + "elements (one a decision), got " + streamOffset + " with n = " + n);
        }
    }

    /**
     * A segment region of {@code length} elements of {@code elementBytes} bytes from element {@code offset}: the
     * segment is alive, accessible by this thread, a whole number of elements long, writable when {@code written},
     * and holds the region.
     */
    static void segment(String name, MemorySegment segment, long offset, long length, int elementBytes,
                        boolean written) {
        region(name, "elements", segment, offset, length, elementBytes, written);
    }

    /** {@link #segment}, its message counting {@code unit}. */
    private static void region(String name, String unit, MemorySegment segment, long offset, long length,
                               int elementBytes, boolean written) {
        if (segment == null) {
            throw new NullPointerException(name + " must not be null");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(name + ": the segment's arena is closed");
        }
        if (!segment.isAccessibleBy(Thread.currentThread())) { // else the JDK throws at the first access: mid-write
            throw new WrongThreadException(name + ": the segment's confined arena belongs to another thread");
        }
        if (written && segment.isReadOnly()) {
            throw new IllegalArgumentException(name + ": the segment is read-only");
        }
        long size = segment.byteSize();
        if (size % elementBytes != 0) {
            throw new IllegalArgumentException(name + ": segment size " + size + " is not a whole number of "
                    + elementBytes + "-byte elements");
        }
        long elements = size / elementBytes;
        if (offset < 0 || offset > elements - length) {
            String end = offset > Long.MAX_VALUE - length ? offset + " + " + length : String.valueOf(offset + length);
            throw new IndexOutOfBoundsException(name + ": " + unit + " [" + offset + ", " + end
                    + ") out of bounds for a segment of " + elements);
        }
    }

    /** A mask of {@code ceil(length / 64)} 64-bit words from word {@code offset}, as {@link #segment} checks. */
    static void maskSegment(String name, MemorySegment mask, long offset, long length, boolean written) {
        region(name, "words", mask, offset, Dropout.maskWords(length), Long.BYTES, written);
    }

    /**
     * Byte ranges {@code [aStart, aStart + bytes)} of {@code a} and of {@code b} either are the same memory
     * (in place) or do not overlap. Two heap segments share memory only over one array.
     */
    static void noPartialOverlap(String aName, MemorySegment a, long aStart, String bName, MemorySegment b,
                                 long bStart, long bytes) {
        long aFrom = start(a, aStart);
        long bFrom = start(b, bStart);
        if (sameMemory(a, b) && aFrom != bFrom && Math.abs(aFrom - bFrom) < bytes) {
            throw new IllegalArgumentException(aName + " and " + bName
                    + " overlap partially; use the same memory for in-place");
        }
    }

    /** Byte ranges of two segments that must not share a byte (a mask and the data it goes with). */
    static void disjoint(String aName, MemorySegment a, long aStart, long aBytes, String bName, MemorySegment b,
                         long bStart, long bBytes) {
        long aFrom = start(a, aStart);
        long bFrom = start(b, bStart);
        // Overlap: aFrom < bFrom + bBytes and bFrom < aFrom + aBytes, both differences negative. One comparison of
        // their AND: with two, which one decided depended on which segment lay lower, and C2 trapped on the order
        // a warm-up had not seen (stop 27).
        if (sameMemory(a, b) && ((aFrom - (bFrom + bBytes)) & (bFrom - (aFrom + aBytes))) < 0) {
            throw new IllegalArgumentException(aName + " and " + bName + " overlap");
        }
    }

    /** Address of byte {@code offset}: absolute for native segments, relative to the array for heap ones. */
    private static long start(MemorySegment s, long offset) {
        return s.address() + offset;
    }

    private static boolean sameMemory(MemorySegment a, MemorySegment b) {
        if (a.isNative() || b.isNative()) {
            return a.isNative() && b.isNative();
        }
        // A heap segment's scope is equal to another's exactly when both are over the same array (read-only views
        // included); heapBase() would say the same through an Optional, allocated on every call.
        return a.scope().equals(b.scope());
    }

    private static IndexOutOfBoundsException outOfBounds(String name, int offset, int length, int arrayLength) {
        return new IndexOutOfBoundsException(name + ": range [" + offset + ", " + ((long) offset + length)
                + ") out of bounds for length " + arrayLength);
    }
}
