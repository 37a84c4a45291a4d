package dev.vecdrop.jmh;

import dev.vecdrop.Dropout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * The tensor forms of issue 10 side by side: training forward and backward from bits on float32 and float64,
 * Java arrays, heap segments (over the same arrays) and native segments, next to each element type's limit kernel
 * {@code y = x * c} (classic eval on the same kernels). Ratios that matter: float64 forward / float64 limit, and
 * each segment form / the array form of the same element type and operation. Each benchmark runs in its own JVM,
 * so no form's profile colours another's (see {@link MixedProfileBenchmarks} for the mixed case).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages", "-Xmx6g"})
public class TensorBenchmarks {

    @Param({"16384", "16777216"})
    public int n;

    private Dropout dropout;
    private Dropout limit;
    private float[] xf, yf;
    private double[] xd, yd;
    private long[] mask;
    private MemorySegment xfHeap, yfHeap, xdHeap, ydHeap, maskHeap;
    private MemorySegment xfNative, yfNative, xdNative, ydNative, maskNative;
    private Arena arena;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        dropout = Dropout.inverted(0.5);
        limit = Dropout.classic(0.5);
        SplittableRandom random = new SplittableRandom(n);
        xf = new float[n];
        yf = new float[n];
        xd = new double[n];
        yd = new double[n];
        for (int i = 0; i < n; i++) {
            xd[i] = random.nextGaussian();
            xf[i] = (float) xd[i];
        }
        mask = new long[Dropout.maskWords(n)];
        xfHeap = MemorySegment.ofArray(xf);
        yfHeap = MemorySegment.ofArray(yf);
        xdHeap = MemorySegment.ofArray(xd);
        ydHeap = MemorySegment.ofArray(yd);
        maskHeap = MemorySegment.ofArray(mask);
        arena = Arena.ofShared();
        xfNative = arena.allocate((long) n * Float.BYTES, 64);
        yfNative = arena.allocate((long) n * Float.BYTES, 64);
        xdNative = arena.allocate((long) n * Double.BYTES, 64);
        ydNative = arena.allocate((long) n * Double.BYTES, 64);
        maskNative = arena.allocate((long) mask.length * Long.BYTES, 64);
        MemorySegment.copy(xf, 0, xfNative, ValueLayout.JAVA_FLOAT, 0, n);
        MemorySegment.copy(xd, 0, xdNative, ValueLayout.JAVA_DOUBLE, 0, n);
        dropout.mask(1, 0, mask, 0, n);
        MemorySegment.copy(mask, 0, maskNative, ValueLayout.JAVA_LONG, 0, mask.length);
        yfNative.fill((byte) 0); // touch every page before timing
        ydNative.fill((byte) 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] floatArrayLimit() {
        limit.eval(xf, 0, yf, 0, n);
        return yf;
    }

    @Benchmark
    public double[] doubleArrayLimit() {
        limit.eval(xd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public float[] floatArrayForward() {
        dropout.forward(seed++, 0, xf, 0, yf, 0, n);
        return yf;
    }

    @Benchmark
    public double[] doubleArrayForward() {
        dropout.forward(seed++, 0, xd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public MemorySegment floatHeapForward() {
        dropout.floatSegments().forward(seed++, 0, xfHeap, 0, yfHeap, 0, n);
        return yfHeap;
    }

    @Benchmark
    public MemorySegment floatNativeForward() {
        dropout.floatSegments().forward(seed++, 0, xfNative, 0, yfNative, 0, n);
        return yfNative;
    }

    @Benchmark
    public MemorySegment doubleHeapForward() {
        dropout.doubleSegments().forward(seed++, 0, xdHeap, 0, ydHeap, 0, n);
        return ydHeap;
    }

    @Benchmark
    public MemorySegment doubleNativeForward() {
        dropout.doubleSegments().forward(seed++, 0, xdNative, 0, ydNative, 0, n);
        return ydNative;
    }

    @Benchmark
    public float[] floatArrayBackwardFromBits() {
        dropout.backward(mask, 0, xf, 0, yf, 0, n);
        return yf;
    }

    @Benchmark
    public double[] doubleArrayBackwardFromBits() {
        dropout.backward(mask, 0, xd, 0, yd, 0, n);
        return yd;
    }

    @Benchmark
    public MemorySegment floatHeapBackwardFromBits() {
        dropout.floatSegments().backward(maskHeap, 0, xfHeap, 0, yfHeap, 0, n);
        return yfHeap;
    }

    @Benchmark
    public MemorySegment floatNativeBackwardFromBits() {
        dropout.floatSegments().backward(maskNative, 0, xfNative, 0, yfNative, 0, n);
        return yfNative;
    }

    @Benchmark
    public MemorySegment doubleHeapBackwardFromBits() {
        dropout.doubleSegments().backward(maskHeap, 0, xdHeap, 0, ydHeap, 0, n);
        return ydHeap;
    }

    @Benchmark
    public MemorySegment doubleNativeBackwardFromBits() {
        dropout.doubleSegments().backward(maskNative, 0, xdNative, 0, ydNative, 0, n);
        return ydNative;
    }
}
