package dev.vecdrop.dl4j;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The training step of {@link TrainingStepBenchmark}, timed interleaved: each round runs one step of each network
 * (vecdrop, DL4J's dropout, no dropout) in a rotating order, so load from other processes falls on all three alike;
 * prints the median and quartiles per step, and of the per-round ratios. For a shared or noisy machine, where
 * JMH's back-to-back trials drift.
 * Run: {@code integrations/jmh.sh dl4j --timing [rounds]} (default 100 rounds).
 */
public final class TrainingStepTiming {

    private TrainingStepTiming() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        DataSet[] batches = Mlp.noise(1, 16, 256, 784, 10);
        String[] names = {"vecdrop", "dl4j", "none"};
        MultiLayerNetwork[] nets = {
                Mlp.network(Mlp.conf(1, 784, 512, 10, new VecdropDropout(0.8).withSeed(1),
                        new VecdropDropout(0.5).withSeed(2))),
                Mlp.network(Mlp.conf(1, 784, 512, 10, new Dropout(0.8), new Dropout(0.5))),
                Mlp.network(Mlp.conf(1, 784, 512, 10, null, null)),
        };
        for (int warm = 0; warm < 30; warm++) {
            for (MultiLayerNetwork net : nets) {
                net.fit(batches[warm & 15]);
            }
        }
        long[][] nanos = new long[nets.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < nets.length; k++) {
                int i = (r + k) % nets.length;
                long t0 = System.nanoTime();
                nets[i].fit(batches[r & 15]);
                nanos[i][r] = System.nanoTime() - t0;
            }
        }
        System.out.printf("%d rounds, batch 256, 784-512-512-10, ms per step: median [p25, p75]%n", rounds);
        for (int i = 0; i < nets.length; i++) {
            long[] t = nanos[i].clone();
            Arrays.sort(t);
            System.out.printf("  %-8s %7.2f [%7.2f, %7.2f]%n", names[i], t[rounds / 2] / 1e6, t[rounds / 4] / 1e6,
                    t[3 * rounds / 4] / 1e6);
        }
        // Paired within a round, so that load drifting between rounds cancels.
        System.out.printf("per-round ratios, median [p25, p75]:%n");
        ratio("dl4j / vecdrop", nanos[1], nanos[0]);
        ratio("vecdrop / none", nanos[0], nanos[2]);
        ratio("dl4j / none", nanos[1], nanos[2]);
    }

    private static void ratio(String name, long[] a, long[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (double) a[i] / b[i];
        }
        Arrays.sort(r);
        System.out.printf("  %-15s %6.3f [%6.3f, %6.3f]%n", name, r[r.length / 2], r[r.length / 4],
                r[3 * r.length / 4]);
    }
}
