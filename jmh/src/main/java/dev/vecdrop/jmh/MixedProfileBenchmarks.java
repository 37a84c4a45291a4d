package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Does a path slow down when the JVM also runs the others? Each benchmark measures one path at 16K elements in
 * its own JVM; with {@code mixed = true} that JVM first runs all 16 paths (forward, forward with mask, backward
 * from bits, regenerating backward; float32 and float64; arrays and native segments) until they are compiled, so
 * shared code (the checks, the dispatch, the kernels' callers) sees every form before the measured one is timed.
 * The ratio that matters: {@code mixed = true} over {@code mixed = false} for each path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class MixedProfileBenchmarks {

    static final int N = 16384;

    @Param({"false", "true"})
    public boolean mixed;

    private final Dropout dropout = Dropout.inverted(0.5);
    private final float[] xf = new float[N], yf = new float[N];
    private final double[] xd = new double[N], yd = new double[N];
    private final long[] mask = new long[Dropout.maskWords(N)];
    private Arena arena;
    private MemorySegment xfs, yfs, xds, yds, masks;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < N; i++) {
            xd[i] = random.nextGaussian();
            xf[i] = (float) xd[i];
        }
        arena = Arena.ofShared();
        xfs = arena.allocate(N * 4L, 64).copyFrom(MemorySegment.ofArray(xf));
        yfs = arena.allocate(N * 4L, 64);
        xds = arena.allocate(N * 8L, 64).copyFrom(MemorySegment.ofArray(xd));
        yds = arena.allocate(N * 8L, 64);
        masks = arena.allocate(mask.length * 8L, 64);
        dropout.mask(1, 0, mask, 0, N);
        masks.copyFrom(MemorySegment.ofArray(mask));
        if (mixed) {
            for (int round = 0; round < 20_000; round++) {
                floatArrayForward();
                floatArrayForwardWithMask();
                floatArrayBackwardFromBits();
                floatArrayBackwardRegenerate();
                doubleArrayForward();
                doubleArrayForwardWithMask();
                doubleArrayBackwardFromBits();
                doubleArrayBackwardRegenerate();
                floatNativeForward();
                floatNativeForwardWithMask();
                floatNativeBackwardFromBits();
                floatNativeBackwardRegenerate();
                doubleNativeForward();
                doubleNativeForwardWithMask();
                doubleNativeBackwardFromBits();
                doubleNativeBackwardRegenerate();
            }
            dropout.mask(1, 0, mask, 0, N); // the backwards read real bits, as in the unmixed JVM
            masks.copyFrom(MemorySegment.ofArray(mask));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] floatArrayForward() {
        dropout.forward(seed++, 0, xf, 0, yf, 0, N);
        return yf;
    }

    @Benchmark
    public float[] floatArrayForwardWithMask() {
        dropout.forward(seed++, 0, xf, 0, yf, 0, N, mask, 0);
        return yf;
    }

    @Benchmark
    public float[] floatArrayBackwardFromBits() {
        dropout.backward(mask, 0, xf, 0, yf, 0, N);
        return yf;
    }

    @Benchmark
    public float[] floatArrayBackwardRegenerate() {
        dropout.backward(seed++, 0, xf, 0, yf, 0, N);
        return yf;
    }

    @Benchmark
    public double[] doubleArrayForward() {
        dropout.forward(seed++, 0, xd, 0, yd, 0, N);
        return yd;
    }

    @Benchmark
    public double[] doubleArrayForwardWithMask() {
        dropout.forward(seed++, 0, xd, 0, yd, 0, N, mask, 0);
        return yd;
    }

    @Benchmark
    public double[] doubleArrayBackwardFromBits() {
        dropout.backward(mask, 0, xd, 0, yd, 0, N);
        return yd;
    }

    @Benchmark
    public double[] doubleArrayBackwardRegenerate() {
        dropout.backward(seed++, 0, xd, 0, yd, 0, N);
        return yd;
    }

    @Benchmark
    public MemorySegment floatNativeForward() {
        dropout.floatSegments().forward(seed++, 0, xfs, 0, yfs, 0, N);
        return yfs;
    }

    @Benchmark
    public MemorySegment floatNativeForwardWithMask() {
        dropout.floatSegments().forward(seed++, 0, xfs, 0, yfs, 0, N, masks, 0);
        return yfs;
    }

    @Benchmark
    public MemorySegment floatNativeBackwardFromBits() {
        dropout.floatSegments().backward(masks, 0, xfs, 0, yfs, 0, N);
        return yfs;
    }

    @Benchmark
    public MemorySegment floatNativeBackwardRegenerate() {
        dropout.floatSegments().backward(seed++, 0, xfs, 0, yfs, 0, N);
        return yfs;
    }

    @Benchmark
    public MemorySegment doubleNativeForward() {
        dropout.doubleSegments().forward(seed++, 0, xds, 0, yds, 0, N);
        return yds;
    }

    @Benchmark
    public MemorySegment doubleNativeForwardWithMask() {
        dropout.doubleSegments().forward(seed++, 0, xds, 0, yds, 0, N, masks, 0);
        return yds;
    }

    @Benchmark
    public MemorySegment doubleNativeBackwardFromBits() {
        dropout.doubleSegments().backward(masks, 0, xds, 0, yds, 0, N);
        return yds;
    }

    @Benchmark
    public MemorySegment doubleNativeBackwardRegenerate() {
        dropout.doubleSegments().backward(seed++, 0, xds, 0, yds, 0, N);
        return yds;
    }
}
