package dev.vecdrop.stats;

/**
 * The four FIPS 140-1 statistical tests on 20,000 bits (the same as BSI AIS 20 tests T1-T4), with the
 * standard's bounds. Each has a false-alarm probability of about 1e-6 on an ideal source.
 */
public final class Fips140 {

    /** Bits per test sequence. */
    public static final int BITS = 20_000;

    private Fips140() {}

    /** Ones among the 20,000 bits: 9,654 < X < 10,346. */
    public static String monobit(boolean[] bits) {
        int ones = 0;
        for (boolean b : bits) {
            ones += b ? 1 : 0;
        }
        return ones > 9_654 && ones < 10_346 ? null : "monobit: " + ones + " ones";
    }

    /** 5,000 4-bit nibbles: X = 16/5000 * sum(f_i^2) - 5000 with 1.03 < X < 57.4. */
    public static String poker(boolean[] bits) {
        int[] counts = new int[16];
        for (int i = 0; i < BITS; i += 4) {
            int nibble = (bits[i] ? 8 : 0) | (bits[i + 1] ? 4 : 0) | (bits[i + 2] ? 2 : 0) | (bits[i + 3] ? 1 : 0);
            counts[nibble]++;
        }
        double sum = 0;
        for (int c : counts) {
            sum += (double) c * c;
        }
        double x = 16.0 / 5000 * sum - 5000;
        return x > 1.03 && x < 57.4 ? null : "poker: X = " + x;
    }

    /** Runs of each length 1..5 and 6+, of zeros and of ones, within the standard's intervals. */
    public static String runs(boolean[] bits) {
        int[][] runs = new int[2][7];
        int length = 1;
        for (int i = 1; i <= BITS; i++) {
            if (i < BITS && bits[i] == bits[i - 1]) {
                length++;
            } else {
                runs[bits[i - 1] ? 1 : 0][Math.min(length, 6)]++;
                length = 1;
            }
        }
        int[] lo = {0, 2_267, 1_079, 502, 223, 90, 90};
        int[] hi = {0, 2_733, 1_421, 748, 402, 223, 223};
        for (int value = 0; value < 2; value++) {
            for (int len = 1; len <= 6; len++) {
                if (runs[value][len] < lo[len] || runs[value][len] > hi[len]) {
                    return "runs: " + runs[value][len] + " runs of " + len + (len == 6 ? "+" : "") + " " + value + "s";
                }
            }
        }
        return null;
    }

    /** No run of 34 or more equal bits. */
    public static String longRun(boolean[] bits) {
        int length = 1;
        for (int i = 1; i < BITS; i++) {
            length = bits[i] == bits[i - 1] ? length + 1 : 1;
            if (length >= 34) {
                return "long run: " + length + " equal bits ending at " + i;
            }
        }
        return null;
    }

    /** All four; null if they pass, else what failed. */
    public static String all(boolean[] bits) {
        for (String failure : new String[] {monobit(bits), poker(bits), runs(bits), longRun(bits)}) {
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }
}
