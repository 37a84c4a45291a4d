package dev.vecdrop.smile;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import smile.classification.MLP;
import smile.math.MathEx;
import smile.model.mlp.Layer;
import smile.model.mlp.LayerBuilder;
import smile.model.mlp.OutputFunction;
import smile.util.function.TimeFunction;

/**
 * Smile's own dropout ({@code impl=smile}: one {@code MathEx.random()} and a {@code Vector.mul} per unit) against
 * vecdrop's layers ({@code impl=vecdrop}), the same network otherwise:
 * <ul>
 *   <li>{@link #dropoutForwardBackward}: one hidden layer's {@code propagateDropout} then {@code backpopagateDropout},
 *       {@code units} wide, p = 0.5, as {@code MLP.update} calls them per sample (the values are left to grow or
 *       vanish: neither path's time depends on them, and no subnormal arises);</li>
 *   <li>{@link #trainingStep}: one {@code MLP.update(x, y)} of a 784-500-500-10 rectifier network with dropout 0.2
 *       on the input and 0.5 on both hidden layers (Hinton et al.'s MNIST net), where Smile's BLAS matrix-vector
 *       products take most of the time.</li>
 * </ul>
 * Run with {@code integrations/jmh.sh smile} (never by the build: not a *Test); the training step needs OpenBLAS,
 * which the script finds where the build unpacked it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SmileDropoutBenchmark {

    @Param({"smile", "vecdrop"})
    public String impl;

    @Param({"128", "1024"})
    public int units;

    private Layer layer;
    private MLP model;
    private double[][] samples;
    private int[] labels;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        boolean vecdrop = impl.equals("vecdrop");
        MathEx.setSeed(19650218);
        layer = (vecdrop ? VecdropLayer.rectifier(units, 0.5) : Layer.rectifier(units, 0.5)).build(10);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < units; i++) {
            layer.output().set(i, random.nextGaussian());
            layer.gradient().set(i, random.nextGaussian());
        }
        LayerBuilder[] net = vecdrop
                ? new LayerBuilder[] {VecdropLayer.input(784, 0.2), VecdropLayer.rectifier(500, 0.5),
                        VecdropLayer.rectifier(500, 0.5), Layer.mle(10, OutputFunction.SOFTMAX)}
                : new LayerBuilder[] {Layer.input(784, 0.2), Layer.rectifier(500, 0.5), Layer.rectifier(500, 0.5),
                        Layer.mle(10, OutputFunction.SOFTMAX)};
        model = new MLP(net);
        model.setLearningRate(TimeFunction.constant(0.01));
        samples = new double[64][784];
        labels = new int[samples.length];
        for (int i = 0; i < samples.length; i++) {
            labels[i] = random.nextInt(10);
            for (int j = 0; j < 784; j++) {
                samples[i][j] = random.nextDouble() < 0.2 ? random.nextDouble() : 0; // sparse, like MNIST pixels
            }
        }
    }

    @Benchmark
    public void dropoutForwardBackward() {
        layer.propagateDropout();
        layer.backpopagateDropout();
    }

    @Benchmark
    public void trainingStep() {
        int i = next;
        next = (i + 1) % samples.length;
        model.update(samples[i], labels[i]);
    }
}
