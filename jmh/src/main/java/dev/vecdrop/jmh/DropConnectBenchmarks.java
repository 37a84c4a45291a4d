package dev.vecdrop.jmh;

import dev.vecdrop.DropConnect;
import dev.vecdrop.Dropout;
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
 * Drop-connect's two calls per step on a weight matrix of {@code n} float32 values (the masked copy of the weights,
 * and the gradient masked in place) next to plain inverted dropout forward on the same buffers at the same
 * {@code p}. Issue 11's bar: within 15% of plain dropout at 16M. Drop-connect adds its step check and the stream
 * offset {@code step << 24} to the same kernel, so the ratio shows what that costs.
 *
 * <p>Scores are calls per second. The seed and step change on every call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class DropConnectBenchmarks {

    /** 16K, and 2^24: the largest matrix drop-connect takes. */
    @Param({"16384", "16777216"})
    public int n;

    private Dropout dropout;
    private DropConnect dropConnect;
    private float[] weights;
    private float[] masked;
    private long seed;
    private long step;

    @Setup
    public void setUp() {
        dropout = Dropout.inverted(0.5);
        dropConnect = DropConnect.of(0.5);
        weights = new float[n];
        masked = new float[n];
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < n; i++) { // touches every page before timing
            weights[i] = (float) random.nextGaussian();
        }
        dropout.forward(1, 0, weights, 0, masked, 0, n);
    }

    @Benchmark
    public float[] dropoutForward() {
        dropout.forward(seed++, 0, weights, 0, masked, 0, n);
        return masked;
    }

    @Benchmark
    public float[] dropConnectWeights() {
        return dropConnect.weights(seed++, step++ & DropConnect.MAX_STEP, weights, masked);
    }

    /**
     * Masks {@code masked} in place, call after call: after about a dozen calls it holds only zeros, so from then on
     * this times masking zeros. The kernel does not branch on the values and no value becomes subnormal, so the time
     * is the same as on live gradients; a copy per call to keep them live would add a pass to what is timed.
     */
    @Benchmark
    public float[] dropConnectMaskGradient() {
        dropConnect.maskGradient(seed++, step++ & DropConnect.MAX_STEP, masked);
        return masked;
    }
}
