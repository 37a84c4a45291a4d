package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
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

/** Per-call latency percentiles for small tensors ({@code Mode.SampleTime}), at the preferred width. */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class Latency {

    @Param({"1024"})
    public int n;

    private final Dropout dropout = Dropout.inverted(0.5);
    private float[] x;
    private float[] y;
    private long[] mask;
    private long seed;

    @Setup
    public void setUp() {
        x = new float[n];
        y = new float[n];
        mask = new long[Dropout.maskWords(n)];
        dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
    }

    @Benchmark
    public float[] forward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] backwardFromBits() {
        dropout.backward(mask, 0, x, 0, y, 0, n);
        return y;
    }
}
