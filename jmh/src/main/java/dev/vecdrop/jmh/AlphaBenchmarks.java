package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Alpha dropout's training forward (a multiply, an add and a blend with {@code c} per element) next to plain
 * inverted dropout's forward on the same arrays, float32 and float64. The ratio that matters (issue 11): alpha /
 * plain at 16M, memory-bound, within 15%; at 16K, where the mask stream's arithmetic dominates, reported. Each
 * benchmark runs in its own JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages", "-Xmx6g"})
public class AlphaBenchmarks {

    @Param({"16384", "16777216"})
    public int n;

    private Dropout plain;
    private Dropout alpha;
    private float[] xf, yf;
    private double[] xd, yd;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        plain = Dropout.inverted(0.1);
        alpha = Dropout.alpha(0.1);
        SplittableRandom random = new SplittableRandom(n);
        xf = new float[n];
        yf = new float[n];
        xd = new double[n];
        yd = new double[n];
        for (int i = 0; i < n; i++) {
            xd[i] = random.nextGaussian();
            xf[i] = (float) xd[i];
        }
    }

    @Benchmark
    public float[] floatPlainForward() {
        plain.forward(seed++, 0, xf, 0, yf, 0, n);
        return yf;
    }

    @Benchmark
    public float[] floatAlphaForward() {
        alpha.forward(seed++, 0, xf, 0, yf, 0, n);
        return yf;
    }

    @Benchmark
    public double[] doublePlainForward() {
        plain.forward(seed++, 0, xd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public double[] doubleAlphaForward() {
        alpha.forward(seed++, 0, xd, 0, yd, 0, n);
        return yd;
    }
}
