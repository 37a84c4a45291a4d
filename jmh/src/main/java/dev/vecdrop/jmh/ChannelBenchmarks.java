package dev.vecdrop.jmh;

import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-channel against element-wise dropout on one ResNet-sized float32 activation, {@code N = 64, C = 256,
 * S = 196} (3.2M elements): the same tensor, 196x fewer random numbers per channel decision. Forward without and
 * with a stored mask, and the backward from that mask, in both channel layouts.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class ChannelBenchmarks {

    static final int N = 64;
    static final int C = 256;
    static final int S = 196;
    static final int LENGTH = N * C * S;

    private final Dropout elementwise = Dropout.inverted(0.5);
    private final Dropout channelsFirst = elementwise.perChannel(ChannelLayout.channelsFirst(C, S));
    private final Dropout channelsLast = elementwise.perChannel(ChannelLayout.channelsLast(S, C));
    private float[] x;
    private float[] y;
    private long[] mask;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        x = new float[LENGTH];
        y = new float[LENGTH];
        mask = new long[Dropout.maskWords(LENGTH)];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < LENGTH; i++) {
            x[i] = (float) random.nextGaussian();
        }
        channelsFirst.mask(1, 0, mask, 0, LENGTH); // N * C real decisions for the backwards (any layout: same count)
    }

    @Benchmark
    public float[] elementwiseForward() {
        elementwise.forward(seed++, 0, x, 0, y, 0, LENGTH);
        return y;
    }

    @Benchmark
    public float[] channelsFirstForward() {
        channelsFirst.forward(seed++, 0, x, 0, y, 0, LENGTH);
        return y;
    }

    @Benchmark
    public float[] channelsLastForward() {
        channelsLast.forward(seed++, 0, x, 0, y, 0, LENGTH);
        return y;
    }

    @Benchmark
    public float[] elementwiseForwardWithMask() {
        elementwise.forward(seed++, 0, x, 0, y, 0, LENGTH, mask, 0);
        return y;
    }

    @Benchmark
    public float[] channelsFirstForwardWithMask() {
        channelsFirst.forward(seed++, 0, x, 0, y, 0, LENGTH, mask, 0);
        return y;
    }

    @Benchmark
    public float[] channelsLastForwardWithMask() {
        channelsLast.forward(seed++, 0, x, 0, y, 0, LENGTH, mask, 0);
        return y;
    }

    @Benchmark
    public float[] channelsFirstBackwardFromBits() {
        channelsFirst.backward(mask, 0, x, 0, y, 0, LENGTH);
        return y;
    }

    @Benchmark
    public float[] channelsLastBackwardFromBits() {
        channelsLast.backward(mask, 0, x, 0, y, 0, LENGTH);
        return y;
    }
}
