package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
import dev.vecdrop.GaussianDropout;
import dev.vecdrop.GaussianNoise;
import dev.vecdrop.ParallelDropout;
import dev.vecdrop.ParallelGaussian;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ParallelGaussian} on a {@link ForkJoinPool} of {@code threads} against the layer's single call, with
 * plain dropout's single and parallel calls in the same run for the ratios. {@code dropoutSplit} splits whatever
 * the length (chunks of 1,024 and up): where it overtakes {@code dropoutSingle} is the inline threshold.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class ParallelGaussianBenchmarks {

    @Param({"16777216"})
    public int n;

    @Param({"2"})
    public int threads;

    private ForkJoinPool pool;
    private GaussianDropout gaussian;
    private GaussianNoise noise;
    private Dropout dropout;
    private ParallelGaussian parallelGaussian;
    private ParallelGaussian splitGaussian;
    private ParallelGaussian parallelNoise;
    private ParallelDropout parallelDropout;
    private float[] x;
    private float[] y;
    private double[] xd;
    private double[] yd;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new ForkJoinPool(threads);
        gaussian = GaussianDropout.of(0.3);
        noise = GaussianNoise.of(0.3);
        dropout = Dropout.inverted(0.3);
        parallelGaussian = ParallelGaussian.of(gaussian, pool);
        splitGaussian = parallelGaussian.withMinParallelLength(0).withMinChunkLength(1024);
        parallelNoise = ParallelGaussian.of(noise, pool);
        parallelDropout = ParallelDropout.of(dropout, pool);
        x = new float[n];
        y = new float[n];
        xd = new double[n];
        yd = new double[n];
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < n; i++) { // touches every page before timing
            x[i] = (float) random.nextGaussian();
            xd[i] = x[i];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
    }

    @Benchmark
    public float[] dropoutSingle() {
        gaussian.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] dropoutSplit() {
        splitGaussian.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] dropoutParallel() {
        parallelGaussian.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] noiseSingle() {
        noise.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] noiseParallel() {
        parallelNoise.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public double[] doubleSingle() {
        gaussian.forward(seed++, 0, xd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public double[] doubleParallel() {
        parallelGaussian.forward(seed++, 0, xd, 0, yd, 0, n);
        return yd;
    }

    /** Plain dropout, one call: the memory-bound reference of the gaussian bars. */
    @Benchmark
    public float[] plainSingle() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] plainParallel() {
        parallelDropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }
}
