package dev.vecdrop.jmh;

import dev.vecdrop.NormalStream;
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
 * The normal stream into a caller-owned {@code float[]}: {@link NormalStream#fill} (the vector version at this
 * CPU's preferred width), its scalar reference ({@link NormalStream#z} element by element) and what a user would
 * write with the JDK alone, a {@code SplittableRandom.nextGaussian()} loop. Issue 11's bar: at 16K on AVX-512 the
 * fill is at least 5x the JDK loop and 3x the reference.
 *
 * <p>Scores are calls per second; multiply by {@code n} for values per second. The seed changes on every call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class NormalBenchmarks {

    @Param({"16384", "16777216"})
    public int n;

    private float[] out;
    private long seed;

    @Setup
    public void setUp() {
        out = new float[n];
        NormalStream.fill(1, 0, out, 0, n); // touches every page before timing
    }

    @Benchmark
    public float[] vectorFill() {
        NormalStream.fill(seed++, 0, out, 0, n);
        return out;
    }

    @Benchmark
    public float[] scalarReference() {
        long s = seed++;
        for (int i = 0; i < n; i++) {
            out[i] = NormalStream.z(s, i);
        }
        return out;
    }

    @Benchmark
    public float[] splittableRandomNextGaussian() {
        SplittableRandom random = new SplittableRandom(seed++);
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}
