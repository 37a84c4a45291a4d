package dev.vecdrop.jmh;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * {@link NormalBenchmarks}' three loops timed interleaved: each round runs {@code CALLS} calls of the vector fill,
 * then of the {@code SplittableRandom.nextGaussian()} loop, then of the scalar reference (a tenth as many), in a
 * rotating order, on the same {@code float[]}; prints the median and quartiles per value, and of the per-round
 * ratios. On this project's shared VMs the {@code nextGaussian()} loop slows about 1.8x in slow phases while the
 * vector fill slows about 1.3x, so JMH's back-to-back trials can catch the two in different phases; paired within a
 * round, the ratio is the one issue 11's bar asks for.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar
 * dev.vecdrop.jmh.NormalStreamTiming [rounds [n]]} (default 30 rounds of 16,384 values, after 6 warm-up rounds).
 */
public final class NormalStreamTiming {

    private static final int CALLS = 1_000;

    private NormalStreamTiming() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        NormalBenchmarks bench = new NormalBenchmarks();
        bench.n = args.length > 1 ? Integer.parseInt(args[1]) : 16_384;
        bench.setUp();
        String[] names = {"vector fill", "nextGaussian", "scalar reference"};
        @SuppressWarnings("unchecked")
        Supplier<float[]>[] loops = new Supplier[] {
                bench::vectorFill, bench::splittableRandomNextGaussian, bench::scalarReference};
        int[] calls = {CALLS, CALLS, CALLS / 10};
        double[][] nanosPerValue = new double[loops.length][rounds];
        float sink = 0;
        for (int r = -6; r < rounds; r++) {
            for (int k = 0; k < loops.length; k++) {
                int i = Math.floorMod(r + k, loops.length);
                long t0 = System.nanoTime();
                for (int c = 0; c < calls[i]; c++) {
                    sink += loops[i].get()[c & 7];
                }
                if (r >= 0) {
                    nanosPerValue[i][r] = (System.nanoTime() - t0) / (double) calls[i] / bench.n;
                }
            }
        }
        System.out.printf("%d rounds, %d values a call, ns per value: median [p25, p75]%n", rounds, bench.n);
        for (int i = 0; i < loops.length; i++) {
            double[] q = quartiles(nanosPerValue[i]);
            System.out.printf("  %-17s %6.3f [%6.3f, %6.3f]%n", names[i], q[0], q[1], q[2]);
        }
        System.out.printf("per-round ratios, median [p25, p75] (how many times faster the fill is):%n");
        ratio("nextGaussian", nanosPerValue[1], nanosPerValue[0]);
        ratio("scalar reference", nanosPerValue[2], nanosPerValue[0]);
        if (sink == 0.123f) { // keeps the values alive without printing them
            System.out.println();
        }
    }

    private static void ratio(String name, double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        double[] q = quartiles(r);
        System.out.printf("  %-17s %6.2fx [%6.2fx, %6.2fx]%n", name, q[0], q[1], q[2]);
    }

    /** Median, 25th and 75th percentile (by index into the sorted copy) of {@code values}. */
    private static double[] quartiles(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return new double[] {sorted[n / 2], sorted[n / 4], sorted[3 * n / 4]};
    }
}
