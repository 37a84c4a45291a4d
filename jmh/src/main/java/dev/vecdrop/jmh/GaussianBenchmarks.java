package dev.vecdrop.jmh;

import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import dev.vecdrop.GaussianDropout;
import dev.vecdrop.GaussianNoise;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Gaussian dropout and gaussian noise forward (float32) next to plain inverted dropout forward at the same
 * {@code p}, over the same caller-owned buffers. Issue 11's bar: each within 15% of plain dropout at 16M
 * (memory-bound there), and the ratio reported at 16K.
 *
 * <p>The per-channel forms (gaussian dropout, noise, and float64 gaussian dropout) run on {@code (N, C, S)}
 * (channels first) and {@code (N, S, C)} (channels last) tensors with {@code C = S = 64}, of the same {@code n}
 * elements: one normal per 64 elements.
 *
 * <p>The float64 forms ({@code ...Double}) run the same operations over {@code double[]} buffers of the same
 * values.
 *
 * <p>Scores are calls per second. The seed changes on every call, as in {@link DropoutBenchmarks}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class GaussianBenchmarks {

    @Param({"16384", "16777216"})
    public int n;

    private Dropout dropout;
    private GaussianDropout gaussianDropout;
    private GaussianNoise gaussianNoise;
    private GaussianDropout gaussianChannelsFirst;
    private GaussianDropout gaussianChannelsLast;
    private GaussianNoise noiseChannelsFirst;
    private GaussianNoise noiseChannelsLast;
    private float[] x;
    private float[] y;
    private double[] xDouble;
    private double[] yDouble;
    private long seed;

    @Setup
    public void setUp() {
        dropout = Dropout.inverted(0.5);
        gaussianDropout = GaussianDropout.of(0.5);
        gaussianNoise = GaussianNoise.of(0.5);
        gaussianChannelsFirst = gaussianDropout.perChannel(ChannelLayout.channelsFirst(64, 64));
        gaussianChannelsLast = gaussianDropout.perChannel(ChannelLayout.channelsLast(64, 64));
        noiseChannelsFirst = gaussianNoise.perChannel(ChannelLayout.channelsFirst(64, 64));
        noiseChannelsLast = gaussianNoise.perChannel(ChannelLayout.channelsLast(64, 64));
        x = new float[n];
        y = new float[n];
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < n; i++) { // touches every page before timing
            x[i] = (float) random.nextGaussian();
        }
        dropout.forward(1, 0, x, 0, y, 0, n);
        xDouble = new double[n];
        yDouble = new double[n];
        for (int i = 0; i < n; i++) {
            xDouble[i] = x[i];
        }
        dropout.forward(1, 0, xDouble, 0, yDouble, 0, n);
    }

    @Benchmark
    public float[] dropoutForward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] gaussianDropoutForward() {
        gaussianDropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] gaussianNoiseForward() {
        gaussianNoise.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] gaussianDropoutChannelsFirstForward() {
        gaussianChannelsFirst.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] gaussianDropoutChannelsLastForward() {
        gaussianChannelsLast.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public double[] dropoutForwardDouble() {
        dropout.forward(seed++, 0, xDouble, 0, yDouble, 0, n);
        return yDouble;
    }

    @Benchmark
    public double[] gaussianDropoutForwardDouble() {
        gaussianDropout.forward(seed++, 0, xDouble, 0, yDouble, 0, n);
        return yDouble;
    }

    @Benchmark
    public double[] gaussianNoiseForwardDouble() {
        gaussianNoise.forward(seed++, 0, xDouble, 0, yDouble, 0, n);
        return yDouble;
    }

    @Benchmark
    public float[] gaussianNoiseChannelsFirstForward() {
        noiseChannelsFirst.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] gaussianNoiseChannelsLastForward() {
        noiseChannelsLast.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public double[] gaussianDropoutChannelsFirstForwardDouble() {
        gaussianChannelsFirst.forward(seed++, 0, xDouble, 0, yDouble, 0, n);
        return yDouble;
    }

    @Benchmark
    public double[] gaussianDropoutChannelsLastForwardDouble() {
        gaussianChannelsLast.forward(seed++, 0, xDouble, 0, yDouble, 0, n);
        return yDouble;
    }
}
