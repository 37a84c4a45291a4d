package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The normal stream's contract (docs/mask-stream.md, "Normal stream, version 1"): the published values, the
 * accuracy of its logarithm, cosine and sine over every input the stream can give them, the largest |z|, and
 * argument checks before any write. The quality of the values is NormalQualityTest's; the vector version is
 * NormalVectorMatchesScalarTest's.
 */
class NormalStreamTest {

    /** The contract's text, written again here from the page with SplittableRandom for the words. */
    private static float fromTheText(long seed, long e) {
        long j = e >>> 1;
        // word(seed, j) = mix64(seed + (j + 1) GAMMA): the first nextLong of the generator seeded j GAMMAs on.
        long w = new SplittableRandom(seed + j * 0x9e3779b97f4a7c15L).nextLong();
        int lo = (int) w;
        int angle = (int) (w >>> 32) - (int) (e & 1) * (1 << 30);

        int v = lo | 1;
        float u1 = Math.fma((float) (v >>> 16), 0x1p-16f, (float) (v & 0xffff) * 0x1p-32f);
        int ix = Float.floatToRawIntBits(u1) - 0x3f3504f3;
        float k = (float) (ix >> 23);
        float f = Float.intBitsToFloat((ix & 0x7fffff) + 0x3f3504f3) - 1f;
        float s = f / (2f + f);
        float y = s * s;
        float bigR = y * Math.fma(Math.fma(0x1.2ee610p-2f, y, 0x1.997c30p-2f), y, 0x1.55555cp-1f);
        float h = (0.5f * f) * f;
        float lnm = f + Math.fma(s, h + bigR, -h);
        float l = Math.fma(k, 0x1.62e430p-1f, Math.fma(k, -0x1.05c610p-29f, lnm));
        float r = (float) Math.sqrt(l * -2f);

        int c = (angle >>> 6) + (1 << 23);
        int q = (c >>> 24) & 3;
        float x = (float) ((c & 0xffffff) - (1 << 23)) * 0x1p-23f;
        float x2 = x * x;
        float cos = Math.fma(x2, Math.fma(x2, Math.fma(x2, Math.fma(x2, 0x1.db6492p-19f, -0x1.55cb98p-12f),
                0x1.03c1eap-6f), -0x1.3bd3ccp-2f), 1f);
        float sin = x * Math.fma(x2, Math.fma(x2, Math.fma(x2, -0x1.2d9b40p-15f, 0x1.465ec4p-9f), -0x1.4abbbap-4f),
                0x1.921fb6p-1f);
        float t = (q & 1) == 0 ? cos : sin;
        if (((q + 1) & 2) != 0) {
            t = Float.intBitsToFloat(Float.floatToRawIntBits(t) ^ 0x8000_0000);
        }
        return r * t;
    }

    @Test
    void publishedValuesNeverChange() {
        long[][] rows = { // seed, e, bits: the table "Known answers" of the normal stream
            {42, 0, 0xbdc69ca2L}, {42, 1, 0xbfe9feb9L}, {42, 2, 0x3ee95cc1L}, {42, 3, 0x3f37a1a7L},
            {0xdeadbeefcafebabeL, 1_000_000_007L, 0xbf31ddc0L}, {-1, (1L << 62) + 1, 0xbf237b6bL},
        };
        for (long[] row : rows) {
            assertEquals((int) row[2], Float.floatToRawIntBits(fromTheText(row[0], row[1])), "text " + row[0] + "/" + row[1]);
            assertEquals((int) row[2], Float.floatToRawIntBits(NormalStream.z(row[0], row[1])), "z " + row[0] + "/" + row[1]);
        }
    }

    @Test
    void theReferenceIsTheTextOnRandomSeedsAndElements() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 50_000; i++) {
            long seed = random.nextLong();
            long e = random.nextLong() >>> (1 + random.nextInt(63));
            assertEquals(Float.floatToRawIntBits(fromTheText(seed, e)), Float.floatToRawIntBits(NormalStream.z(seed, e)),
                    "seed " + seed + " e " + e);
        }
    }

    @Test
    void pairsAreCosineAndSineOfOneAngleFromOneWord() {
        for (long j = 0; j < 1000; j++) {
            long w = MaskStream.word(7, j);
            double u1 = ((int) w | 1L) & 0xffff_ffffL;
            double r = Math.sqrt(-2 * Math.log(u1 / 0x1p32));
            double theta = 2 * Math.PI * (((int) (w >>> 32)) >>> 6) / 0x1p26;
            // a few float ulps of r (r <= 6.7): the error budget of the polynomials and roundings
            assertEquals(r * Math.cos(theta), NormalStream.z(7, 2 * j), 4e-6, "cos of pair " + j);
            assertEquals(r * Math.sin(theta), NormalStream.z(7, 2 * j + 1), 4e-6, "sin of pair " + j);
        }
    }

    /**
     * One pass over every u1 the stream can produce (all floats in [2^-8, 1] and, below 2^-8, the odd multiples of
     * 2^-32: 7.5e7 values): the logarithm's worst error against Math.log, the largest radius, and the first u1 whose
     * logarithm is not finite and <= 0 (NaN r). Shared by the tests below, so the sweep runs once.
     */
    private static final class RadiusSweep {
        static double worstUlps;
        static double worstAbs;
        static float worstArgument;
        static float largestRadius;
        static float firstBad = Float.NaN;

        static {
            for (int v = 1; v < 1 << 24; v += 2) {
                visit(v * 0x1p-32f); // exact
            }
            for (int bits = Float.floatToRawIntBits(0x1p-8f); bits <= Float.floatToRawIntBits(1f); bits++) {
                visit(Float.intBitsToFloat(bits));
            }
        }

        private static void visit(float u) {
            float l = NormalStream.log(u);
            double exact = Math.log(u);
            double abs = Math.abs(l - exact);
            double ulps = exact == 0 ? (l == 0 ? 0 : Double.POSITIVE_INFINITY) : abs / Math.ulp((float) exact);
            if (ulps > worstUlps) {
                worstUlps = ulps;
                worstArgument = u;
            }
            worstAbs = Math.max(worstAbs, abs);
            if (!(l <= 0 && l > Float.NEGATIVE_INFINITY) && Float.isNaN(firstBad)) {
                firstBad = u;
            }
            largestRadius = Math.max(largestRadius, (float) Math.sqrt(l * -2f));
        }
    }

    @Test
    void reachableUniformsAreExactlyTheRoundedCellMidpoints() {
        // The sweep's set of u1 against the contract's u1: at the ends, and at random.
        assertEquals(0x1p-32f, NormalStream.uniformOpenZero(0));
        assertEquals(0x1p-32f, NormalStream.uniformOpenZero(1));
        assertEquals(1f, NormalStream.uniformOpenZero(-1));
        assertEquals(3 * 0x1p-32f, NormalStream.uniformOpenZero(2));
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            int lo = random.nextInt();
            double exact = (lo | 1L) & 0xffff_ffffL;
            assertEquals((float) (exact / 0x1p32), NormalStream.uniformOpenZero(lo), "lo " + lo);
        }
    }

    @Test
    void logarithmIsWithinOneUlpOfMathLogOnEveryReachableInput() {
        System.out.printf("MEASURED log: max %.3f ulp at u1 = %s, max abs error %.3g%n",
                RadiusSweep.worstUlps, RadiusSweep.worstArgument, RadiusSweep.worstAbs);
        assertTrue(RadiusSweep.worstUlps < 1.0, "log error " + RadiusSweep.worstUlps + " ulp at " + RadiusSweep.worstArgument);
        assertTrue(Float.isNaN(RadiusSweep.firstBad), "ln u1 not finite and <= 0 at u1 = " + RadiusSweep.firstBad);
    }

    /** Worst errors of the polynomials on every x in [-1, 1) (2^24 values), and the largest |C|, |S|. */
    private static final class PolynomialSweep {
        static double worstCos;
        static double worstSin;
        static float largest;

        static {
            for (int d = -(1 << 23); d < 1 << 23; d++) {
                float x = d * 0x1p-23f;
                float c = NormalStream.trigOfQuadrant(0, x);
                float s = NormalStream.trigOfQuadrant(1, x);
                double phi = Math.PI / 4 * x;
                worstCos = Math.max(worstCos, Math.abs(c - Math.cos(phi)));
                worstSin = Math.max(worstSin, Math.abs(-s - Math.sin(phi))); // quadrant 1 is -sin
                largest = Math.max(largest, Math.max(Math.abs(c), Math.abs(s)));
            }
        }
    }

    @Test
    void cosineAndSineAreWithinOneAndAHalfUlpOfOneOnTheReducedRange() {
        System.out.printf("MEASURED cos(pi/4 x): max abs error %.3g, sin: %.3g (ulp of 1 = %.3g), max |t| %s%n",
                PolynomialSweep.worstCos, PolynomialSweep.worstSin, Math.ulp(1f), PolynomialSweep.largest);
        assertTrue(PolynomialSweep.worstCos <= 1.5 * Math.ulp(1f), "cos error " + PolynomialSweep.worstCos);
        assertTrue(PolynomialSweep.worstSin <= 1.5 * Math.ulp(1f), "sin error " + PolynomialSweep.worstSin);
    }

    @Test
    void quadrantsMakeCosineAndSineOfTheWholeTurn() {
        // Every 61st of the 2^26 angles (each quadrant and x-pattern), even element (cos) and odd (sin).
        for (int t = 0; t < 1 << 26; t += 61) {
            double theta = 2 * Math.PI * t / 0x1p26;
            float c = NormalStream.fromHalves(0, t << 6);
            float s = NormalStream.fromHalves(0, (t << 6) - (1 << 30));
            if (Math.abs(c / NormalStream.MAX_ABS - Math.cos(theta)) > 2 * Math.ulp(1f)
                    || Math.abs(s / NormalStream.MAX_ABS - Math.sin(theta)) > 2 * Math.ulp(1f)) {
                throw new AssertionError("angle " + t + ": " + c + ", " + s + " for theta " + theta);
            }
        }
    }

    @Test
    void largestAbsoluteValueIsMaxAbsAndIsReached() {
        // Rounded products are monotone, so max |z| = RN(max r * max |t|).
        assertEquals(1f, PolynomialSweep.largest, "the largest |cos| and |sin| must be exactly 1");
        assertEquals(NormalStream.MAX_ABS, RadiusSweep.largestRadius, "largest radius over every reachable u1");
        assertEquals(Math.sqrt(64 * Math.log(2)), NormalStream.MAX_ABS, Math.ulp(NormalStream.MAX_ABS));
        assertEquals(NormalStream.MAX_ABS, NormalStream.fromHalves(0, 0), "lo = 0, angle 0 reaches it");
        assertEquals(-NormalStream.MAX_ABS, NormalStream.fromHalves(1, 1 << 31), "and half a turn its negative");
    }

    @Test
    void fillChecksEveryArgumentBeforeWritingAnything() {
        float[] out = new float[32];
        Arrays.fill(out, 7f);
        float[] untouched = out.clone();
        assertThrows(NullPointerException.class, () -> NormalStream.fill(1, 0, null, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NormalStream.fill(1, 0, out, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> NormalStream.fill(1, 0, out, -1, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> NormalStream.fill(1, 0, out, 29, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> NormalStream.fill(1, 0, out, 0, 33));
        assertThrows(IllegalArgumentException.class, () -> NormalStream.fill(1, -1, out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> NormalStream.fill(1, Long.MAX_VALUE - 3, out, 0, 4));
        assertArrayEquals(untouched, out, "a rejected call wrote");
        NormalStream.fill(1, Long.MAX_VALUE - 4, out, 28, 4); // the last elements of the stream are fine
        assertEquals(NormalStream.z(1, Long.MAX_VALUE - 1), out[31]);
    }
}
