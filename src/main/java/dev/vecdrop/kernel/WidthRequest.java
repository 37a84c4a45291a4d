package dev.vecdrop.kernel;

import java.util.Locale;

/**
 * The test-and-benchmark switch {@value #PROPERTY}: {@code scalar}, {@code 128}, {@code 256} or {@code 512}
 * forces an implementation; unset means "the preferred width of this CPU". Read once; kept in its own class so
 * the vector kernels can size their {@code static final} species from it while the selector is initialising.
 *
 * <p>Thread-safety: immutable after class initialisation. Allocation: none after it.
 */
public final class WidthRequest {

    /** The system property name. */
    public static final String PROPERTY = "vecdrop.vector.bits";
    /** {@link #BITS} value meaning "the preferred width". */
    public static final int PREFERRED = 0;
    /** {@link #BITS} value meaning "the scalar reference". */
    public static final int SCALAR = -1;

    /** The raw property value, or {@code null}. */
    public static final String RAW = System.getProperty(PROPERTY);
    /** What the property asks for: {@link #PREFERRED}, {@link #SCALAR}, 128, 256 or 512. */
    public static final int BITS = parse(RAW);

    private WidthRequest() {}

    /** Whether the property is set to something this class does not understand (then it is ignored). */
    public static boolean isInvalid() {
        return isInvalid(RAW);
    }

    /** {@link #isInvalid()} for a given property value: set, not blank, and not understood. */
    static boolean isInvalid(String raw) {
        return raw != null && !raw.isBlank() && parse(raw) == PREFERRED;
    }

    static int parse(String raw) {
        if (raw == null) {
            return PREFERRED;
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "scalar" -> SCALAR;
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> PREFERRED;
        };
    }
}
