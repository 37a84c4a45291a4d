package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
import dev.vecdrop.WarmUp;
import java.lang.management.ManagementFactory;

/**
 * One fresh JVM's start-up, call by call: {@code CALLS} calls of one operation on a 16K tensor, each timed and
 * its allocated bytes counted, from the very first (cold) or after {@link WarmUp#run()} (warm). Prints
 * {@code warmup_ms ...}, then {@code call,nanos,bytes} lines. Launched by {@link WarmUpReport}.
 *
 * <p>Args: {@code OP(forward|backwardFromBits|backwardRegenerate) MODE(cold|warm) CALLS}.
 */
public final class WarmUpCurve {

    static final int N = 16_384;

    private WarmUpCurve() {}

    public static void main(String[] args) {
        String op = args[0];
        boolean warm = args[1].equals("warm");
        int calls = Integer.parseInt(args[2]);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported() || threads.getCurrentThreadAllocatedBytes() < 0) {
            throw new IllegalStateException("this JVM cannot count allocated bytes per thread");
        }
        int which = switch (op) { // resolved before timing: only the dropout call is timed
            case "forward" -> 0;
            case "backwardFromBits" -> 1;
            case "backwardRegenerate" -> 2;
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
        float[] x = new float[N];
        float[] y = new float[N];
        long[] mask = new long[Dropout.maskWords(N)];
        long t0 = System.nanoTime();
        if (warm) {
            WarmUp.Report report = WarmUp.run();
            System.out.printf("warmup_ms %.1f rounds %d settled %s%n", (System.nanoTime() - t0) / 1e6,
                    report.rounds(), report.settled());
        } else {
            System.out.println("warmup_ms 0 rounds 0 settled cold");
        }
        Dropout dropout = Dropout.inverted(0.5); // the service's dropout, made at its start
        // The first request's data arrives (written by whatever produced it), so it is in cache as it would be.
        for (int i = 0; i < N; i++) {
            x[i] = (i % 251) * 0.01f - 1;
            y[i] = 0;
        }
        for (int w = 0; w < mask.length; w++) {
            mask[w] = 0x5555_5555_5555_5555L * (w | 1);
        }
        long[] nanos = new long[calls];
        long[] bytes = new long[calls];
        for (int c = 0; c < calls; c++) {
            long b0 = threads.getCurrentThreadAllocatedBytes();
            long s = System.nanoTime();
            if (which == 0) {
                dropout.forward(c, (long) c * N, x, 0, y, 0, N);
            } else if (which == 1) {
                dropout.backward(mask, 0, x, 0, y, 0, N);
            } else {
                dropout.backward(c, (long) c * N, x, 0, y, 0, N);
            }
            nanos[c] = System.nanoTime() - s;
            bytes[c] = threads.getCurrentThreadAllocatedBytes() - b0;
        }
        StringBuilder out = new StringBuilder();
        for (int c = 0; c < calls; c++) {
            out.append(c + 1).append(',').append(nanos[c]).append(',').append(bytes[c]).append('\n');
        }
        System.out.print(out);
    }
}
