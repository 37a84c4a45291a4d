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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tail latency under concurrency: one {@link Dropout} shared by every benchmark thread (as a service shares
 * its layer's dropout), each thread with its own buffers and stream range. {@code Mode.SampleTime} gives
 * p50/p99/p99.9 per call; {@link OneThread} and {@link TwoThreads} run side by side in one report.
 */
public final class SharedLatency {

    private SharedLatency() {}

    /** The dropout all threads share. */
    @State(Scope.Benchmark)
    public static class Shared {
        public final Dropout dropout = Dropout.inverted(0.5);
    }

    /** Each thread's buffers and stream position. */
    @State(Scope.Thread)
    public static class Buffers {
        @Param({"1024", "16384"})
        public int n;

        float[] x;
        float[] y;
        long[] mask;
        long seed;
        long offset;

        @Setup
        public void setUp(Shared shared) {
            x = new float[n];
            y = new float[n];
            mask = new long[Dropout.maskWords(n)];
            for (int i = 0; i < n; i++) {
                x[i] = i * 0.001f;
            }
            seed = System.identityHashCode(this); // threads draw from different streams
            shared.dropout.forward(seed, 0, x, 0, y, 0, n, mask, 0);
        }
    }

    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
    public abstract static class Calls {
        @Benchmark
        public float[] forward(Shared shared, Buffers b) {
            shared.dropout.forward(b.seed, b.offset += b.n, b.x, 0, b.y, 0, b.n);
            return b.y;
        }

        @Benchmark
        public float[] backwardFromBits(Shared shared, Buffers b) {
            shared.dropout.backward(b.mask, 0, b.x, 0, b.y, 0, b.n);
            return b.y;
        }

        @Benchmark
        public float[] backwardRegenerate(Shared shared, Buffers b) {
            shared.dropout.backward(b.seed, b.offset += b.n, b.x, 0, b.y, 0, b.n);
            return b.y;
        }
    }

    /** One thread. */
    @Threads(1)
    public static class OneThread extends Calls {}

    /** Two threads on the shared dropout (this machine's core count). */
    @Threads(2)
    public static class TwoThreads extends Calls {}
}
