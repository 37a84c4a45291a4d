package dev.vecdrop.jmh;

import dev.ludovic.netlib.blas.BLAS;
import dev.vecdrop.train.matrix.MatrixKernel;
import dev.vecdrop.train.matrix.MatrixKernels;
import dev.vecdrop.train.matrix.ScalarMatrixKernel;
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
 * Why the trainer multiplies with its own kernel: the three products of one 1024 x 1024 layer and a batch of 100
 * (forward {@code W^T a}, weight gradient {@code a delta^T}, input gradient {@code W delta}), through vecdrop's
 * fma kernel, its scalar reference, and netlib's {@code Java11BLAS} and {@code VectorBLAS} on the same data.
 * Not part of {@code vecdrop bench --jmh}; run it with {@code java -jar jmh/target/benchmarks.jar MatrixBenchmarks}.
 * Scores are ms per product; each product is {@code 2 * 1024 * 1024 * 100} flops.
 *
 * <p>Thread-safety: JMH state, one per thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MatrixBenchmarks {

    private static final int UNITS = 1024;
    private static final int FAN_IN = 1024;
    private static final int BATCH = 100;

    @Param({"forward", "weightGradient", "inputGradient"})
    public String product;

    private final MatrixKernel vecdrop = MatrixKernels.active();
    private BLAS java11;
    private BLAS vector;
    private float[] weights;
    private float[] transposed;
    private float[] activations;
    private float[] deltas;
    private float[] out;

    @Setup
    public void setUp() throws ReflectiveOperationException {
        java11 = netlib("dev.ludovic.netlib.blas.Java11BLAS");
        vector = netlib("dev.ludovic.netlib.blas.VectorBLAS");
        SplittableRandom random = new SplittableRandom(1);
        weights = gaussian(FAN_IN * UNITS, random);
        transposed = new float[FAN_IN * UNITS];
        for (int j = 0; j < UNITS; j++) {
            for (int k = 0; k < FAN_IN; k++) {
                transposed[k * UNITS + j] = weights[j * FAN_IN + k];
            }
        }
        activations = gaussian(FAN_IN * BATCH, random);
        deltas = gaussian(UNITS * BATCH, random);
        out = new float[FAN_IN * UNITS];
    }

    @Benchmark
    public float[] vecdropKernel() {
        return multiply(vecdrop);
    }

    @Benchmark
    public float[] scalarReference() {
        return multiply(ScalarMatrixKernel.INSTANCE);
    }

    @Benchmark
    public float[] netlibJava11Blas() {
        return sgemm(java11);
    }

    @Benchmark
    public float[] netlibVectorBlas() {
        return sgemm(vector);
    }

    /** The calls Mlp makes. */
    private float[] multiply(MatrixKernel kernel) {
        switch (product) {
            case "forward" -> kernel.multiply(UNITS, BATCH, FAN_IN, transposed, 0, UNITS, activations, 0, 1, FAN_IN, out, 0, UNITS);
            case "weightGradient" -> kernel.multiply(FAN_IN, UNITS, BATCH, activations, 0, FAN_IN, deltas, 0, UNITS, 1, out, 0, FAN_IN);
            default -> kernel.multiply(FAN_IN, BATCH, UNITS, weights, 0, FAN_IN, deltas, 0, 1, UNITS, out, 0, FAN_IN);
        }
        return out;
    }

    /** The same products as a BLAS user would write them, on the untransposed weights. */
    private float[] sgemm(BLAS blas) {
        switch (product) {
            case "forward" -> blas.sgemm("T", "N", UNITS, BATCH, FAN_IN, 1.0f, weights, FAN_IN, activations, FAN_IN, 0.0f, out, UNITS);
            case "weightGradient" -> blas.sgemm("N", "T", FAN_IN, UNITS, BATCH, 1.0f, activations, FAN_IN, deltas, UNITS, 0.0f, out, FAN_IN);
            default -> blas.sgemm("N", "N", FAN_IN, BATCH, UNITS, 1.0f, weights, FAN_IN, deltas, UNITS, 0.0f, out, FAN_IN);
        }
        return out;
    }

    /** netlib keeps its implementations package-private; on the class path they open to reflection. */
    private static BLAS netlib(String className) throws ReflectiveOperationException {
        var getInstance = Class.forName(className).getDeclaredMethod("getInstance");
        getInstance.setAccessible(true);
        return (BLAS) getInstance.invoke(null);
    }

    private static float[] gaussian(int n, SplittableRandom random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
