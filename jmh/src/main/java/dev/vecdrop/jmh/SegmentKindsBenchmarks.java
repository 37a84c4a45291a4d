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
 * Does a segment path slow down in a JVM that has also run it over the other kind of data segment? Each benchmark
 * times one path at 16K elements, over {@code measured} data segments ({@code native}: a shared arena's;
 * {@code heap}: {@code MemorySegment.ofArray} views), with native masks. Before timing, the JVM runs every path
 * 20,000 times over the measured kind alone ({@code history = one}), over both kinds in turn
 * ({@code history = both}), or over the other kind first and then the measured one ({@code history = otherFirst}).
 * The Vector API's segment accesses share one receiver profile across the JVM, so a kernel that leaves a segment's
 * class to it compiles, once both kinds were seen, to a loop that checks the class at every access and fences each
 * one (docs/quality.md, stop 33). The ratios that matter: {@code both} and {@code otherFirst} over {@code one} for
 * each path and kind.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class SegmentKindsBenchmarks {

    static final int N = 16384;

    @Param({"one", "both", "otherFirst"})
    public String history;

    @Param({"native", "heap"})
    public String measured;

    private final Dropout dropout = Dropout.inverted(0.5);
    private Arena arena;
    private MemorySegment masks;
    private MemorySegment xf, yf, xd, yd;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        float[] xfHeap = new float[N];
        double[] xdHeap = new double[N];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < N; i++) {
            xdHeap[i] = random.nextGaussian();
            xfHeap[i] = (float) xdHeap[i];
        }
        MemorySegment[] heap = {MemorySegment.ofArray(xfHeap), MemorySegment.ofArray(new float[N]),
                MemorySegment.ofArray(xdHeap), MemorySegment.ofArray(new double[N])};
        MemorySegment[] at = {arena.allocate(N * 4L, 64).copyFrom(heap[0]), arena.allocate(N * 4L, 64),
                arena.allocate(N * 8L, 64).copyFrom(heap[2]), arena.allocate(N * 8L, 64)};
        masks = arena.allocate(Dropout.maskWords(N) * 8L, 64);
        MemorySegment[] other = measured.equals("native") ? heap : at;
        MemorySegment[] timed = measured.equals("native") ? at : heap;
        if (history.equals("otherFirst")) {
            use(other);
            for (int round = 0; round < 20_000; round++) {
                runAll();
            }
        }
        for (int round = 0; round < 20_000; round++) {
            if (history.equals("both")) {
                use(other);
                runAll();
            }
            use(timed);
            runAll();
        }
        dropout.floatSegments().mask(1, 0, masks, 0, N); // the backwards read real bits
    }

    private void use(MemorySegment[] data) {
        xf = data[0];
        yf = data[1];
        xd = data[2];
        yd = data[3];
    }

    private void runAll() {
        floatForward();
        floatForwardWithMask();
        floatBackwardFromBits();
        floatBackwardRegenerate();
        doubleForward();
        doubleForwardWithMask();
        doubleBackwardFromBits();
        doubleBackwardRegenerate();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment floatForward() {
        dropout.floatSegments().forward(seed++, 0, xf, 0, yf, 0, N);
        return yf;
    }

    @Benchmark
    public MemorySegment floatForwardWithMask() {
        dropout.floatSegments().forward(seed++, 0, xf, 0, yf, 0, N, masks, 0);
        return yf;
    }

    @Benchmark
    public MemorySegment floatBackwardFromBits() {
        dropout.floatSegments().backward(masks, 0, xf, 0, yf, 0, N);
        return yf;
    }

    @Benchmark
    public MemorySegment floatBackwardRegenerate() {
        dropout.floatSegments().backward(seed++, 0, xf, 0, yf, 0, N);
        return yf;
    }

    @Benchmark
    public MemorySegment doubleForward() {
        dropout.doubleSegments().forward(seed++, 0, xd, 0, yd, 0, N);
        return yd;
    }

    @Benchmark
    public MemorySegment doubleForwardWithMask() {
        dropout.doubleSegments().forward(seed++, 0, xd, 0, yd, 0, N, masks, 0);
        return yd;
    }

    @Benchmark
    public MemorySegment doubleBackwardFromBits() {
        dropout.doubleSegments().backward(masks, 0, xd, 0, yd, 0, N);
        return yd;
    }

    @Benchmark
    public MemorySegment doubleBackwardRegenerate() {
        dropout.doubleSegments().backward(seed++, 0, xd, 0, yd, 0, N);
        return yd;
    }
}
