package dev.vecdrop.stats;

/**
 * Exact two-sided acceptance bounds for a binomial count, from the probability mass function itself (no
 * normal approximation): terms are built by the ratio {@code pmf(k+1)/pmf(k)} outward from the mode and
 * normalised by their sum, so no log-gamma is needed.
 */
public final class Binomial {

    private Binomial() {}

    /**
     * The smallest {@code [lo, hi]} with {@code P(X < lo) <= alpha/2} and {@code P(X > hi) <= alpha/2} for
     * {@code X ~ Binomial(n, q)}.
     */
    public static long[] acceptance(long n, double q, double alpha) {
        if (q == 0.0) {
            return new long[] {0, 0};
        }
        if (q == 1.0) {
            return new long[] {n, n};
        }
        long mode = Math.min(n, (long) Math.floor((n + 1) * q));
        double ratioUp = q / (1 - q);
        // Reach far enough that what is left out is far below alpha: 40 standard deviations, or the ends.
        long reach = (long) Math.ceil(40 * Math.sqrt(n * q * (1 - q))) + 50;
        long from = Math.max(0, mode - reach);
        long to = Math.min(n, mode + reach);
        double[] pmf = new double[(int) (to - from + 1)];
        pmf[(int) (mode - from)] = 1.0;
        for (long k = mode; k < to; k++) { // pmf(k+1) = pmf(k) * (n-k)/(k+1) * q/(1-q)
            pmf[(int) (k + 1 - from)] = pmf[(int) (k - from)] * ((double) (n - k) / (k + 1)) * ratioUp;
        }
        for (long k = mode; k > from; k--) { // pmf(k-1) = pmf(k) * k/(n-k+1) * (1-q)/q
            pmf[(int) (k - 1 - from)] = pmf[(int) (k - from)] * ((double) k / (n - k + 1)) / ratioUp;
        }
        double total = 0;
        for (double v : pmf) {
            total += v;
        }
        double tail = alpha / 2 * total;
        long lo = from;
        double below = 0;
        while (lo < to && below + pmf[(int) (lo - from)] <= tail) {
            below += pmf[(int) (lo - from)];
            lo++;
        }
        long hi = to;
        double above = 0;
        while (hi > from && above + pmf[(int) (hi - from)] <= tail) {
            above += pmf[(int) (hi - from)];
            hi--;
        }
        return new long[] {lo, hi};
    }
}
