package dev.vecdrop;

import java.util.concurrent.ForkJoinPool;

/**
 * Run in a fresh JVM started with {@code -Xlog:deoptimization=debug:stdout}: {@link WarmUp#run()}, the marker
 * {@code WARMED}, then a service's first requests (every operation and the normal stream's fill, sizes the
 * warm-up never used, a real {@link ForkJoinPool}, the keep-all and drop-all shortcuts), then {@code DONE}. The
 * JVM's deoptimisation log lines land between the markers in the same stream; {@link WarmUpTest} reads them.
 */
final class WarmUpDeoptProbe {

    private WarmUpDeoptProbe() {}

    public static void main(String[] args) {
        WarmUp.Report report = WarmUp.run(WarmUpProbe.TEST_LIMIT);
        float[] x = new float[1 << 20];
        float[] y = new float[1 << 20];
        long[] mask = new long[Dropout.maskWords(1 << 20)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 1000) * 0.01f - 5;
        }
        Dropout[] dropouts = {Dropout.inverted(0.1), Dropout.classic(0.5), Dropout.inverted(0.0), Dropout.inverted(1.0)};
        try (ForkJoinPool pool = new ForkJoinPool(2)) {
            ParallelDropout[] parallel = new ParallelDropout[dropouts.length];
            for (int i = 0; i < dropouts.length; i++) {
                parallel[i] = ParallelDropout.of(dropouts[i], pool);
            }
            System.out.println("WARMED settled=" + report.settled());
            requests(dropouts, parallel, x, y, mask);
            System.out.println("DONE");
        }
    }

    /** What a service does after start-up, with shapes the warm-up did not use. */
    private static void requests(Dropout[] dropouts, ParallelDropout[] parallel, float[] x, float[] y, long[] mask) {
        int[] sizes = {1, 100, 1024, 16_384, 300_000, 1 << 20};
        for (int repeat = 0; repeat < 10; repeat++) {
            for (int n : sizes) {
                NormalStream.fill(42, 7L * repeat + n, y, 0, n); // odd and even starts
            }
            NormalStream.fill(42, repeat, y, 0, 0);
            for (int d = 0; d < dropouts.length; d++) {
                Dropout dropout = dropouts[d];
                for (int n : sizes) {
                    long offset = 7L * repeat + n;
                    dropout.forward(42, offset, x, 0, y, 0, n);
                    dropout.forward(42, offset, x, 0, y, 0, n, mask, 0);
                    dropout.backward(mask, 0, y, 0, y, 0, n);
                    dropout.backward(42, offset, x, 0, y, 0, n);
                    dropout.mask(42, offset, mask, 0, n);
                    dropout.eval(x, 0, y, 0, n);
                    parallel[d].forward(42, offset, x, 0, y, 0, n, mask, 0);
                    parallel[d].backward(mask, 0, x, 0, y, 0, n);
                }
            }
        }
    }
}
