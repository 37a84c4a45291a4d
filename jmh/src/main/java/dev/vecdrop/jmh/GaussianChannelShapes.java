package dev.vecdrop.jmh;

import dev.vecdrop.ChannelLayout;
import dev.vecdrop.Dropout;
import dev.vecdrop.GaussianDropout;
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
 * Per-channel forwards (float32 arrays) over tensor shapes whose runs (channels first) or samples and rows (channels
 * last) are short, next to plain element-wise dropout of the same elements (49,152, or the most whole samples that
 * fit): gaussian dropout, dropout ({@code Dropout2d}, {@code SpatialDropout}) and alpha dropout
 * ({@code FeatureAlphaDropout}) per channel. What a call per run or per row would cost where there are many of
 * them. {@code shape} is {@code first:C:S} or {@code last:S:C}.
 *
 * <p>Scores are nanoseconds per call; the seed changes on every call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GaussianChannelShapes {

    /** About this many elements: the most whole samples that fit (2^14 * 3, so all of them for most shapes). */
    static final int N = 49_152;

    @Param({"last:64:64", "last:16:16", "last:4:3", "first:3:4", "first:64:8", "first:16:12", "first:32:24",
            "first:64:49", "first:32:100", "last:49:64", "last:8:3", "last:1024:3", "last:784:16", "last:196:32",
            "last:16:4", "last:2:7", "last:8:9", "last:4:12"})
    public String shape;

    private int n;

    private Dropout dropout;
    private Dropout channelDropout;
    private Dropout featureAlpha;
    private GaussianDropout gaussian;
    private float[] x;
    private float[] y;
    private long seed;

    @Setup
    public void setUp() {
        String[] p = shape.split(":");
        int a = Integer.parseInt(p[1]);
        int b = Integer.parseInt(p[2]);
        ChannelLayout layout = p[0].equals("first") ? ChannelLayout.channelsFirst(a, b)
                : ChannelLayout.channelsLast(a, b);
        dropout = Dropout.inverted(0.5);
        channelDropout = dropout.perChannel(layout);
        featureAlpha = Dropout.alpha(0.5).perChannel(layout);
        gaussian = GaussianDropout.of(0.5).perChannel(layout);
        n = N / (a * b) * (a * b);
        x = new float[n];
        y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 1000) * 0.001f - 0.5f;
        }
    }

    @Benchmark
    public float[] dropoutForward() {
        dropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] channelDropoutForward() {
        channelDropout.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] featureAlphaForward() {
        featureAlpha.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }

    @Benchmark
    public float[] gaussianForward() {
        gaussian.forward(seed++, 0, x, 0, y, 0, n);
        return y;
    }
}
