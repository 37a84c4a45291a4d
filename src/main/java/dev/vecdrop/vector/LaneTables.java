package dev.vecdrop.vector;

import dev.vecdrop.MaskStream;
import dev.vecdrop.kernel.WidthChoice;

/**
 * Per-lane constants the vector kernels load once per call, sized for the widest vector.
 *
 * <p>Thread-safety: immutable after class initialisation (the arrays are never written after it and never leave
 * this package). Allocation: none after it.
 */
final class LaneTables {

    /** Lane {@code j}: {@code j * GOLDEN_GAMMA}, the counter offset of word {@code j} of a block. */
    static final long[] GAMMAS = new long[WidthChoice.MAX_BITS / Long.SIZE];
    /** Lane {@code j}: {@code 1 << j}, to expand mask bits into lanes without {@code VectorMask.fromLong}. */
    static final int[] BITS = new int[WidthChoice.MAX_BITS / Float.SIZE];
    /** Flips the sign bit of both 32-bit halves, so an unsigned compare becomes a signed one. */
    static final long SIGN_BITS = 0x8000_0000_8000_0000L;

    static {
        for (int j = 0; j < GAMMAS.length; j++) {
            GAMMAS[j] = j * MaskStream.GOLDEN_GAMMA;
        }
        for (int j = 0; j < BITS.length; j++) {
            BITS[j] = 1 << j;
        }
    }

    private LaneTables() {}
}
