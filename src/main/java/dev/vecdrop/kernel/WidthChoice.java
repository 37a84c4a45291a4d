package dev.vecdrop.kernel;

/**
 * The vector width rule, as pure functions of what {@code -Dvecdrop.vector.bits} asks for and what the CPU and
 * JVM flags support, so that every branch is unit-tested rather than only seen by whichever build leg happens to
 * reach it on the machine at hand.
 *
 * <p>The kernels need a power-of-two width from 128 to 512 bits: a block of {@code F} floats takes its uniforms
 * from {@code F / 2} longs, {@code F} must divide 64 (the mask word), and the lane tables hold up to 16 lanes.
 *
 * <p>Thread-safety: stateless. Allocation: {@link #chooseBits} none; {@link #reason} builds a string.
 */
public final class WidthChoice {

    /** {@link #chooseBits} result meaning "no vector width: run the scalar reference". */
    public static final int NONE = 0;
    /** The narrowest width the kernels run (two longs, four floats). */
    public static final int MIN_BITS = 128;
    /** The widest width the kernels run (eight longs, sixteen floats: the size of their lane tables). */
    public static final int MAX_BITS = 512;

    private WidthChoice() {}

    /**
     * The width the vector kernels use.
     *
     * @param requested {@link WidthRequest#BITS}: {@link WidthRequest#PREFERRED}, {@link WidthRequest#SCALAR},
     *                  128, 256 or 512
     * @param hardware  the preferred vector shape's size in bits on this CPU and JVM
     * @return 128, 256 or 512: the request (or the hardware width when none) capped at the hardware width and
     *         rounded down to a width the kernels run; {@link #NONE} when scalar is requested or that is below
     *         {@link #MIN_BITS}
     */
    public static int chooseBits(int requested, int hardware) {
        if (requested == WidthRequest.SCALAR) {
            return NONE;
        }
        int wanted = requested > 0 ? Math.min(requested, hardware) : hardware;
        if (wanted < MIN_BITS) {
            return NONE;
        }
        // highestOneBit rounds a non-power-of-two width (SVE allows 384 bits) down to one the kernels run.
        return Integer.highestOneBit(Math.min(wanted, MAX_BITS));
    }

    /** Why {@link #chooseBits} gives what it gives for these arguments, in words (for the one log line). */
    public static String reason(int requested, int hardware) {
        String property = "-D" + WidthRequest.PROPERTY + "=";
        if (requested == WidthRequest.SCALAR) {
            return property + "scalar forces the scalar reference";
        }
        int bits = chooseBits(requested, hardware);
        if (bits == NONE) {
            return "the CPU's preferred vector size is " + hardware + " bits, below the " + MIN_BITS + " needed";
        }
        String rounded = bits < Math.min(hardware, requested > 0 ? requested : hardware)
                ? "; rounded down to " + bits + ", the widest the kernels run" : "";
        if (requested > hardware) {
            return property + requested + " asked for more than the " + hardware
                    + " bits this CPU and JVM support" + rounded;
        }
        if (requested > 0) {
            return "forced by " + property + requested + "; preferred on this CPU: " + hardware + rounded;
        }
        return "preferred vector size on this CPU and JVM" + rounded;
    }
}
