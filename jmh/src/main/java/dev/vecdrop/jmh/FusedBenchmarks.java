package dev.vecdrop.jmh;

import dev.vecdrop.Activation;
import dev.vecdrop.Dropout;
import dev.vecdrop.FusedDropout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * The fused kernels (issue 11) against the unfused passes on the same arrays, float32, {@code [n / 1024 x 1024]}:
 * bias + ReLU + dropout forward against a bias add pass, a ReLU loop and {@link Dropout#forward}, the later passes
 * in place; the fused backward against {@link Dropout#backward}, a ReLU-derivative pass and the bias-gradient sum;
 * {@code residual + dropout(x)} against {@link Dropout#forward} and an add loop. The ReLU and add loops are plain
 * Java, which C2 vectorises; the bias add, the ReLU derivative and the bias-gradient sum are written with the Vector
 * API, as a JVM user after speed would, since JDK 25's C2 vectorises none of them as plain loops (the bias add and
 * sum for a possible overlap of the row and bias arrays at another index, the derivative for its branch): as plain
 * loops the bias add took 0.53 and the derivative 2.6 ns an element at 16K, against 0.10 for a same-index add (a
 * review helper's probes, stop 31). Until stop 31 the baselines were those plain loops, which flattered the fused
 * kernels (docs/benchmarks.md has both). Plain dropout's forward is the memory-bound yardstick. Bar: fused at
 * least 2x the unfused chain at 16M. The float64 forward (fused, unfused, plain dropout) and the float32 forward over native memory segments show the other forms
 * of the same kernels (stop 18: they are generated from the dropout kernels' templates).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages", "-Xmx6g"})
public class FusedBenchmarks {

    private static final int FEATURES = 1024;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

    @Param({"16384", "16777216"})
    public int n;

    private Dropout dropout;
    private FusedDropout fused;
    private float[] x, bias, y, residual, dy, dx, dBias;
    private double[] xd, biasd, yd;
    private MemorySegment xSegment, biasSegment, ySegment;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        dropout = Dropout.inverted(0.1);
        fused = FusedDropout.of(dropout, Activation.relu());
        SplittableRandom random = new SplittableRandom(n);
        x = new float[n];
        y = new float[n];
        residual = new float[n];
        dy = new float[n];
        dx = new float[n];
        bias = new float[FEATURES];
        dBias = new float[FEATURES];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
            residual[i] = (float) random.nextGaussian();
            dy[i] = (float) random.nextGaussian();
        }
        for (int j = 0; j < FEATURES; j++) {
            bias[j] = (float) random.nextGaussian() * 0.1f;
        }
        fused.forward(1, 0, x, 0, bias, 0, y, 0, n, FEATURES);
        xd = new double[n];
        yd = new double[n];
        biasd = new double[FEATURES];
        for (int i = 0; i < n; i++) {
            xd[i] = x[i];
        }
        for (int j = 0; j < FEATURES; j++) {
            biasd[j] = bias[j];
        }
        Arena arena = Arena.ofAuto();
        xSegment = arena.allocate((long) n * Float.BYTES, 64).copyFrom(MemorySegment.ofArray(x));
        ySegment = arena.allocate((long) n * Float.BYTES, 64);
        biasSegment = arena.allocate((long) FEATURES * Float.BYTES, 64).copyFrom(MemorySegment.ofArray(bias));
    }

    @Benchmark
    public float[] plainDropoutForward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] fusedBiasReluDropoutForward() {
        fused.forward(seed++, 0, x, 0, bias, 0, y, 0, n, FEATURES);
        return y;
    }

    @Benchmark
    public float[] unfusedBiasReluDropoutForward() {
        for (int r = 0; r < n; r += FEATURES) {
            for (int j = 0; j < FEATURES; j += SPECIES.length()) { // FEATURES is a multiple of every width
                FloatVector.fromArray(SPECIES, x, r + j).add(FloatVector.fromArray(SPECIES, bias, j))
                        .intoArray(y, r + j);
            }
        }
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(y[i], 0f);
        }
        dropout.forward(seed++, 0, y, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] fusedBiasReluDropoutBackward() {
        fused.backward(1, 0, y, 0, dy, 0, dx, 0, n, FEATURES, dBias, 0);
        return dx;
    }

    @Benchmark
    public float[] unfusedBiasReluDropoutBackward() {
        dropout.backward(1, 0, dy, 0, dx, 0, n);
        for (int i = 0; i < n; i += SPECIES.length()) { // n is a multiple of FEATURES
            FloatVector g = FloatVector.fromArray(SPECIES, dx, i);
            g.blend(0f, FloatVector.fromArray(SPECIES, y, i).compare(VectorOperators.GT, 0f).not()).intoArray(dx, i);
        }
        java.util.Arrays.fill(dBias, 0f);
        for (int r = 0; r < n; r += FEATURES) { // each dBias[j] sums its rows in order, as the fused kernel does
            for (int j = 0; j < FEATURES; j += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, dBias, j).add(FloatVector.fromArray(SPECIES, dx, r + j))
                        .intoArray(dBias, j);
            }
        }
        return dx;
    }

    @Benchmark
    public float[] fusedResidualForward() {
        fused.residualForward(seed++, 0, x, 0, residual, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] unfusedResidualForward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            y[i] = residual[i] + y[i];
        }
        return y;
    }

    @Benchmark
    public double[] plainDropoutForwardDouble() {
        dropout.forward(seed++, 0, xd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public double[] fusedBiasReluDropoutForwardDouble() {
        fused.forward(seed++, 0, xd, 0, biasd, 0, yd, 0, n, FEATURES);
        return yd;
    }

    @Benchmark
    public double[] unfusedBiasReluDropoutForwardDouble() {
        for (int r = 0; r < n; r += FEATURES) {
            for (int j = 0; j < FEATURES; j += DOUBLES.length()) {
                DoubleVector.fromArray(DOUBLES, xd, r + j).add(DoubleVector.fromArray(DOUBLES, biasd, j))
                        .intoArray(yd, r + j);
            }
        }
        for (int i = 0; i < n; i++) {
            yd[i] = Math.max(yd[i], 0.0);
        }
        dropout.forward(seed++, 0, yd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public MemorySegment plainDropoutForwardNativeSegment() {
        dropout.floatSegments().forward(seed++, 0, xSegment, 0, ySegment, 0, n);
        return ySegment;
    }

    @Benchmark
    public MemorySegment fusedBiasReluDropoutForwardNativeSegment() {
        fused.floatSegments().forward(seed++, 0, xSegment, 0, biasSegment, 0, ySegment, 0, n, FEATURES);
        return ySegment;
    }
}
