package dev.vecdrop.dl4j;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One whole training step ({@code MultiLayerNetwork.fit} on a batch of 256) of a small MLP, 784-512-512-10 (ReLU,
 * softmax, Adam, float32), with dropout on the inputs of both hidden layers (retain 0.8 and 0.5): vecdrop's, DL4J's,
 * or none; 16 batches of random data with random labels in turn (see {@link Mlp#noise}). Run with
 * integrations/jmh.sh dl4j; on a busy machine prefer the interleaved {@link TrainingStepTiming}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainingStepBenchmark {

    @Param({"vecdrop", "dl4j", "none"})
    public String impl;

    private MultiLayerNetwork net;
    private DataSet[] batches;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        batches = Mlp.noise(1, 16, 256, 784, 10);
        net = Mlp.network(switch (impl) {
            case "vecdrop" -> Mlp.conf(1, 784, 512, 10, new VecdropDropout(0.8).withSeed(1),
                    new VecdropDropout(0.5).withSeed(2));
            case "dl4j" -> Mlp.conf(1, 784, 512, 10, new Dropout(0.8), new Dropout(0.5));
            default -> Mlp.conf(1, 784, 512, 10, null, null);
        });
    }

    @Benchmark
    public MultiLayerNetwork step() {
        net.fit(batches[next++ & 15]);
        return net;
    }
}
