package dev.vecdrop.jmh;

import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import dev.vecdrop.ParallelDropout;
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
 * The thread sweep: {@link ParallelDropout} forward (with and without mask) and both backwards on a
 * {@link ForkJoinPool} of {@code threads}, next to the same pool running the limit kernel {@code y = x * c}
 * ({@code limitScale}, classic eval through the same chunking), and the single call ({@code threads = 1} runs
 * inline). Ratios that matter: forward / limitScale at the same thread count, and forward(threads) /
 * forward(1). Run with {@code -p threads=1,2,4,8,16} on a bigger machine. With smaller {@code n},
 * {@code singleCallForward} against {@code forwardAlwaysSplit} locates the inline threshold, and against
 * {@code forward} measures what the parallel form costs below it. {@code layout} runs the same over per-channel
 * dropout: {@code first:C:S} or {@code last:S:C} (whole samples of {@code n}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class ParallelBenchmarks {

    @Param({"67108864"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"elementwise"})
    public String layout;

    private ForkJoinPool pool;
    private Dropout single;
    private ParallelDropout dropout;
    private ParallelDropout alwaysSplit;
    private ParallelDropout limit;
    private float[] x;
    private float[] y;
    private long[] mask;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new ForkJoinPool(threads);
        single = Dropout.inverted(0.5).perChannel(layout(layout));
        dropout = ParallelDropout.of(single, pool);
        alwaysSplit = dropout.withMinParallelLength(0);
        limit = ParallelDropout.of(Dropout.classic(0.5).perChannel(single.layout()), pool); // y = x * 0.5f, same chunks
        x = new float[n];
        y = new float[n];
        mask = new long[Dropout.maskWords(n)];
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < n; i++) { // touches every page before timing
            x[i] = (float) random.nextGaussian();
        }
        dropout.forward(1, 0, x, 0, y, 0, n, mask, 0);
    }

    private static ChannelLayout layout(String spec) {
        if (spec.equals("elementwise")) {
            return ChannelLayout.elementwise();
        }
        String[] p = spec.split(":");
        int a = Integer.parseInt(p[1]);
        int b = Integer.parseInt(p[2]);
        return p[0].equals("first") ? ChannelLayout.channelsFirst(a, b) : ChannelLayout.channelsLast(a, b);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
    }

    @Benchmark
    public float[] limitScale() {
        limit.eval(x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] forward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    /** The single call, no pool: below the threshold {@link #forward} must cost the same. */
    @Benchmark
    public float[] singleCallForward() {
        single.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    /** Split whatever the length: where this overtakes {@link #singleCallForward} is the threshold. */
    @Benchmark
    public float[] forwardAlwaysSplit() {
        alwaysSplit.forward(seed++, 0, x, 0, y, 0, n);
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
}
