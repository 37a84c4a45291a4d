package dev.vecdrop.kernel;

/**
 * The constants of the normal stream, version 1 (docs/mask-stream.md), shared by the scalar reference
 * ({@code dev.vecdrop.NormalStream}) and the vector version so that the two cannot disagree. Part of the
 * contract: changing any bit here changes the stream.
 *
 * <p>Thread-safety: constants only. Allocation: none.
 */
public final class NormalCoefficients {

    // ln(1 + f) = f + (s (h + R) - h), s = f / (2 + f), h = f^2 / 2, R = y (P1 + y (P2 + y P3)), y = s^2:
    // R approximates (ln((1 + s) / (1 - s)) - 2s) / s on |s| <= (sqrt 2 - 1) / (sqrt 2 + 1).
    public static final float LOG_P1 = 0x1.55555cp-1f;
    public static final float LOG_P2 = 0x1.997c30p-2f;
    public static final float LOG_P3 = 0x1.2ee610p-2f;
    /** {@code ln 2 = LN2_HI + LN2_LO} to about 2^-53: the exponent's part of the logarithm. */
    public static final float LN2_HI = 0x1.62e430p-1f;
    public static final float LN2_LO = -0x1.05c610p-29f;
    /** Bits of {@code RN(sqrt(1/2))}: the mantissa is reduced to {@code [sqrt(1/2), sqrt(2))}. */
    public static final int SQRT_HALF_BITS = 0x3f3504f3;

    // cos(pi/4 x) = 1 + x^2 (C1 + x^2 (C2 + x^2 (C3 + x^2 C4))), sin(pi/4 x) = x (S0 + x^2 (S1 + x^2 (S2 + x^2 S3)))
    // for |x| <= 1.
    public static final float COS_C1 = -0x1.3bd3ccp-2f;
    public static final float COS_C2 = 0x1.03c1eap-6f;
    public static final float COS_C3 = -0x1.55cb98p-12f;
    public static final float COS_C4 = 0x1.db6492p-19f;
    public static final float SIN_S0 = 0x1.921fb6p-1f;
    public static final float SIN_S1 = -0x1.4abbbap-4f;
    public static final float SIN_S2 = 0x1.465ec4p-9f;
    public static final float SIN_S3 = -0x1.2d9b40p-15f;

    /** A quarter turn in the angle's 32-bit fixed point: odd elements take {@code cos(theta - pi/2) = sin(theta)}. */
    public static final int QUARTER_TURN = 1 << 30;

    private NormalCoefficients() {}
}
