package dev.vecdrop;

/**
 * Argument checks shared by every entry point, run before anything is written. Messages name the argument
 * and the offending values; string building happens only on the failure path, so a passing check allocates
 * nothing.
 *
 * <p>Thread-safety: stateless.
 */
final class Checks {

    private Checks() {}

    static void length(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
    }

    static void region(String name, float[] array, int offset, int length) {
        if (array == null) {
            throw new NullPointerException(name + " must not be null");
        }
        if (offset < 0 || offset > array.length - length) {
            throw outOfBounds(name, offset, length, array.length);
        }
    }

    static void maskRegion(String name, long[] mask, int offset, int length) {
        if (mask == null) {
            throw new NullPointerException(name + " must not be null");
        }
        int words = Dropout.maskWords(length);
        if (offset < 0 || offset > mask.length - words) {
            throw new IndexOutOfBoundsException(name + ": " + words + " words for " + length
                    + " elements from offset " + offset + " do not fit in length " + mask.length);
        }
    }

    /** In-place ({@code a == b}, same offset) is fine; any other overlap would read already-written output. */
    static void noPartialOverlap(String aName, float[] a, int aOff, String bName, float[] b, int bOff, int length) {
        if (a == b && aOff != bOff && Math.abs((long) aOff - bOff) < length) {
            throw new IllegalArgumentException(aName + " [" + aOff + ", " + ((long) aOff + length) + ") and "
                    + bName + " [" + bOff + ", " + ((long) bOff + length)
                    + ") overlap partially in one array; use the same offset for in-place");
        }
    }

    static void stream(long streamOffset, int length) {
        if (streamOffset < 0 || streamOffset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("stream offset must be in [0, 2^63 - 1 - length], got "
                    + streamOffset + " with length " + length);
        }
    }

    private static IndexOutOfBoundsException outOfBounds(String name, int offset, int length, int arrayLength) {
        return new IndexOutOfBoundsException(name + ": range [" + offset + ", " + ((long) offset + length)
                + ") out of bounds for length " + arrayLength);
    }
}
