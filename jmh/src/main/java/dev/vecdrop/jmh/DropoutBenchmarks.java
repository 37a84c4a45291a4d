package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every kernel over the same caller-owned buffers, next to the two limits (the active kernels' {@code y = x * c}
 * and {@code System.arraycopy}) and what a user would write with the JDK alone. Subclasses pick the JVM
 * (preferred width, forced 256-bit, {@code -XX:UseAVX=2}) with their {@code @Fork}, so one run compares ISAs.
 *
 * <p>Scores are calls per second; the report multiplies by {@code n}. Seeds change on every call: with a fixed
 * seed the branch predictor learns the scalar reference's mask and flatters it 4-7x.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class DropoutBenchmarks {

    @Param({"1024", "16384", "262144", "1048576", "16777216"})
    public int n;

    @Param({"0.5"})
    public double p;

    private Dropout dropout;
    private Dropout reference;
    private Dropout limit;
    private float[] x;
    private float[] y;
    private long[] mask;
    private long seed;
    private float keep;
    private float scale;

    @Setup
    public void setUp() {
        dropout = Dropout.inverted(p);
        reference = dropout.scalarReference();
        limit = Dropout.classic(0.5); // classic eval is y = x * 0.5f on the same kernels: the limit
        x = new float[n];
        y = new float[n];
        mask = new long[Dropout.maskWords(n)];
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < n; i++) { // touches every page before timing
            x[i] = (float) random.nextGaussian();
        }
        dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
        keep = (float) (1 - p);
        scale = dropout.trainScale();
    }

    /** The memory-bound limit: {@code y = x * c} with the kernels this JVM picked. */
    @Benchmark
    public float[] limitScale() {
        limit.eval(x, 0, y, 0, n);
        return y;
    }

    /** The other limit: a copy. */
    @Benchmark
    public float[] limitArraycopy() {
        System.arraycopy(x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] scalarReferenceForward() {
        reference.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    /** What a user would write with the JDK: one {@code SplittableRandom} draw per element. */
    @Benchmark
    public float[] jdkSplittableRandomForward() {
        Baselines.splittableRandomForward(seed++, keep, scale, x, y, n);
        return y;
    }

    /** The same with {@code ThreadLocalRandom}. */
    @Benchmark
    public float[] jdkThreadLocalRandomForward() {
        Baselines.threadLocalRandomForward(keep, scale, x, y, n);
        return y;
    }

    @Benchmark
    public float[] forward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public long[] forwardWithMask() {
        dropout.forward(seed++, 0, x, 0, y, 0, n, mask, 0);
        return mask;
    }

    @Benchmark
    public float[] backwardFromBits() {
        dropout.backward(mask, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] backwardRegenerate() {
        dropout.backward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public long[] maskOnly() {
        dropout.mask(seed++, 0, mask, 0, n);
        return mask;
    }
}
