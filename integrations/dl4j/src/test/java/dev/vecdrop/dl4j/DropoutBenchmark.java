package dev.vecdrop.dl4j;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.dropout.AlphaDropout;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.dropout.GaussianNoise;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * vecdrop's IDropout against DL4J's own {@link Dropout} (impl {@code vecdrop}, {@code dl4j}) and
 * {@link AlphaDropout} ({@code vecdrop-alpha}, {@code dl4j-alpha}), retain 0.5, {@link GaussianDropout}
 * ({@code vecdrop-gaussian}, {@code dl4j-gaussian}), rate 0.5, and {@link GaussianNoise} ({@code vecdrop-noise},
 * {@code dl4j-noise}), standard deviation 0.1, on one {@code [256 x 4096]} float32
 * INDArray: the forward alone, and forward then backward as a layer calls them (a fresh output array, the gradient
 * written to another). DL4J's forward allocates and fills its mask every call and keeps it for the backward;
 * vecdrop stores nothing. Pick implementations with JMH's {@code -p impl=vecdrop-alpha,dl4j-alpha}.
 * Both run with the threads they choose: ND4J's native ops use its OpenMP pool, vecdrop one thread.
 * Run with integrations/jmh.sh dl4j (never by the build: not a *Test).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DropoutBenchmark {

    @Param({"vecdrop", "dl4j", "vecdrop-alpha", "dl4j-alpha", "vecdrop-gaussian", "dl4j-gaussian", "vecdrop-noise",
            "dl4j-noise"})
    public String impl;

    private IDropout dropout;
    private INDArray x;
    private INDArray y;
    private INDArray grad;
    private INDArray gradIn;
    private int iteration;
    private final LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();

    @Setup(Level.Trial)
    public void setUp() {
        dropout = switch (impl) {
            case "vecdrop" -> new VecdropDropout(0.5);
            case "dl4j" -> new Dropout(0.5);
            case "vecdrop-alpha" -> new VecdropAlphaDropout(0.5);
            case "dl4j-alpha" -> new AlphaDropout(0.5);
            case "vecdrop-gaussian" -> new VecdropGaussianDropout(0.5);
            case "dl4j-gaussian" -> new GaussianDropout(0.5);
            case "vecdrop-noise" -> new VecdropGaussianNoise(0.1);
            case "dl4j-noise" -> new GaussianNoise(0.1);
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
        x = Nd4j.rand(DataType.FLOAT, 256, 4096);
        y = Nd4j.createUninitialized(DataType.FLOAT, 256, 4096);
        grad = Nd4j.rand(DataType.FLOAT, 256, 4096);
        gradIn = Nd4j.createUninitialized(DataType.FLOAT, 256, 4096);
    }

    @Benchmark
    public INDArray forward() {
        return dropout.applyDropout(x, y, iteration++ & Integer.MAX_VALUE, 0, noWorkspaces);
    }

    @Benchmark
    public INDArray forwardBackward() {
        int it = iteration++ & Integer.MAX_VALUE;
        dropout.applyDropout(x, y, it, 0, noWorkspaces);
        return dropout.backprop(grad, gradIn, it, 0);
    }
}
