package dev.vecdrop.cli;

import dev.vecdrop.Scaling;
import dev.vecdrop.train.Dataset;
import dev.vecdrop.train.TrainConfig;
import dev.vecdrop.train.Trainer;
import dev.vecdrop.train.TrainingReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vecdrop train}: an MLP on Fashion-MNIST with vecdrop's dropout, following the practical guide of
 * Srivastava et al. 2014 (Appendix A); {@code --compare} trains the same network with and without dropout.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train an MLP (ReLU hidden layers, softmax cross-entropy, SGD with momentum) on Fashion-MNIST",
                "with vecdrop dropout and max-norm, printing one line per epoch; writes a CSV and a PNG chart.",
                "--compare trains the same network without dropout and max-norm, and with both.",
                "--drop-connect P also drops each hidden layer's incoming weights with probability P for every",
                "training step (Wan et al. 2013: W' = W * m / (1 - P), the weight gradient masked alike), in every",
                "run but the --compare baselines without dropout."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", description = "Directory with the four IDX .gz files (default: ${DEFAULT-VALUE}).")
    Path data = Dataset.DEFAULT_DIRECTORY;

    @Option(names = "--synthetic", description = "Train on a generated 10-class task instead (no download; for smoke tests).")
    boolean synthetic;

    @Option(names = "--train-samples", description = "Use only the first N training samples (default: all).")
    Integer trainSamples;

    @Option(names = "--epochs", defaultValue = "20", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--hidden", split = ",", defaultValue = "1024,1024", description = "Hidden widths (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--dropout-input", defaultValue = "0.2", description = "Input drop probability (default: ${DEFAULT-VALUE}).")
    double dropInput;

    @Option(names = "--dropout-hidden", defaultValue = "0.5", description = "Hidden drop probability (default: ${DEFAULT-VALUE}).")
    double dropHidden;

    @Option(names = "--no-dropout", description = "Train without dropout.")
    boolean noDropout;

    @Option(names = "--drop-connect", defaultValue = "0", paramLabel = "P",
            description = "Drop-connect probability on each hidden layer's incoming weights per training step, in [0, 1);"
                    + " 0 for none (default: ${DEFAULT-VALUE}). Applies to the dropout run, to --no-dropout, and to"
                    + " 'dropout only' of --compare-all.")
    double dropConnect;

    @Option(names = "--scale-width", description = "Widen hidden layers to n / (1 - p) when dropout is on.")
    boolean scaleWidth;

    @Option(names = "--max-norm", defaultValue = "3.5",
            description = "Max-norm bound c on hidden units' incoming weights, 0 for none (default: ${DEFAULT-VALUE}).")
    float maxNorm;

    @Option(names = "--scaling", defaultValue = "INVERTED", description = "INVERTED, CLASSIC or ALPHA (default: ${DEFAULT-VALUE}).")
    Scaling scaling;

    @Option(names = "--rate", defaultValue = "0.02", description = "Learning rate of dropout runs (default: ${DEFAULT-VALUE}).")
    float rate;

    @Option(names = "--plain-rate", defaultValue = "0.02",
            description = "Learning rate of runs without dropout and drop-connect; the guide uses 10-100x less than for dropout (default: ${DEFAULT-VALUE}).")
    float plainRate;

    @Option(names = "--rate-decay", defaultValue = "0.99", description = "Rate multiplier per epoch (default: ${DEFAULT-VALUE}).")
    float rateDecay;

    @Option(names = "--momentum", split = ",", defaultValue = "0.5,0.95",
            description = "Momentum at the start and after the ramp (default: ${DEFAULT-VALUE}).")
    float[] momentum;

    @Option(names = "--plain-momentum", split = ",",
            description = "Momentum START,END of runs without dropout and drop-connect (default: the same as --momentum).")
    float[] plainMomentum;

    @Option(names = "--momentum-epochs", defaultValue = "10", description = "Epochs of the momentum ramp (default: ${DEFAULT-VALUE}).")
    int momentumEpochs;

    @Option(names = "--batch", defaultValue = "100", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", converter = SeedConverter.class, description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--compare", description = "Train without dropout and max-norm, then with both, side by side.")
    boolean compare;

    @Option(names = "--compare-all", description = "Like --compare, plus dropout without max-norm and max-norm without dropout.")
    boolean compareAll;

    @Option(names = "--out", defaultValue = "target/train", description = "Where the CSV and chart go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (plainMomentum == null) {
            plainMomentum = momentum;
        }
        if (epochs < 1 || batch < 1 || momentum.length != 2 || plainMomentum.length != 2 || hidden.length == 0
                || java.util.Arrays.stream(hidden).anyMatch(h -> h < 1)) {
            throw new ParameterException(spec.commandLine(),
                    "--epochs, --batch and --hidden widths must be positive; --momentum and --plain-momentum take START,END");
        }
        if (!(dropConnect >= 0 && dropConnect < 1)) { // also NaN
            throw new ParameterException(spec.commandLine(), "--drop-connect must be in [0, 1), got " + dropConnect);
        }
        // Checked here, not left to the layers: there they fail inside a training thread, after the banner.
        double dropLimit = scaling == Scaling.ALPHA ? Math.nextDown(1.0) : 1.0;
        if (!(dropInput >= 0 && dropInput <= dropLimit && dropHidden >= 0 && dropHidden <= dropLimit)) { // also NaN
            throw new ParameterException(spec.commandLine(), "--dropout-input and --dropout-hidden must be in [0, "
                    + (scaling == Scaling.ALPHA ? "1) with ALPHA" : "1]") + ", got " + dropInput + " and "
                    + dropHidden);
        }
        if (trainSamples != null && trainSamples < 1) {
            throw new ParameterException(spec.commandLine(), "--train-samples must be positive, got " + trainSamples);
        }
        // Numbers that train nothing sensible: NaN or infinite losses, or a bound that quietly means "off".
        if (!(maxNorm == 0 || (maxNorm > 0 && maxNorm < Float.POSITIVE_INFINITY))) {
            throw new ParameterException(spec.commandLine(), "--max-norm must be 0 (off) or positive and finite, got "
                    + maxNorm);
        }
        if (!(rate > 0 && rate < Float.POSITIVE_INFINITY && plainRate > 0 && plainRate < Float.POSITIVE_INFINITY)) {
            throw new ParameterException(spec.commandLine(), "--rate and --plain-rate must be positive and finite, got "
                    + rate + " and " + plainRate);
        }
        if (!(rateDecay > 0 && rateDecay <= 1)) {
            throw new ParameterException(spec.commandLine(), "--rate-decay must be in (0, 1], got " + rateDecay);
        }
        for (float m : new float[] {momentum[0], momentum[1], plainMomentum[0], plainMomentum[1]}) {
            if (!(m >= 0 && m < 1)) {
                throw new ParameterException(spec.commandLine(), "--momentum and --plain-momentum take values in"
                        + " [0, 1), got " + m);
            }
        }
        if (momentumEpochs < 0) {
            throw new ParameterException(spec.commandLine(), "--momentum-epochs must be >= 0, got " + momentumEpochs);
        }
        if (scaleWidth && dropHidden >= 1) { // n / (1 - p) has no width
            throw new ParameterException(spec.commandLine(), "--scale-width needs --dropout-hidden below 1");
        }
        if (noDropout && (compare || compareAll)) { // the comparisons name their runs themselves
            throw new ParameterException(spec.commandLine(), "--no-dropout does not go with --compare or --compare-all");
        }
        if (compareAll && maxNorm == 0) { // its "max-norm only" run would be the plain one under another name
            throw new ParameterException(spec.commandLine(), "--compare-all compares runs with and without max-norm:"
                    + " it needs --max-norm above 0");
        }
        requireWritableOut();
        PrintWriter console = spec.commandLine().getOut();
        Dataset train;
        Dataset test;
        if (synthetic) {
            Dataset all = Dataset.synthetic(8_000, 64, 10, seed); // one set of clusters, split in two
            train = all.slice(0, 6_000);
            test = all.slice(6_000, 2_000);
        } else {
            try {
                train = Dataset.load(data, false);
                test = Dataset.load(data, true);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (train.width() != test.width()) {
                throw new ParameterException(spec.commandLine(), data + ": training images have " + train.width()
                        + " pixels, test images " + test.width());
            }
        }
        if (trainSamples != null) {
            train = train.slice(0, trainSamples);
        }
        if (batch > train.count()) { // an epoch would be no step at all
            throw new ParameterException(spec.commandLine(), "--batch " + batch + " exceeds the " + train.count()
                    + " training samples");
        }
        Dataset finalTrain = train;
        Dataset finalTest = test;
        Map<String, TrainConfig> runs = new LinkedHashMap<>();
        String connect = dropConnect > 0 ? " + drop-connect" : "";
        TrainConfig dropout = config("dropout" + (maxNorm > 0 ? " + max-norm" : "") + connect, dropInput, dropHidden,
                maxNorm, dropConnect);
        if (compare || compareAll) {
            runs.put("no dropout", config("no dropout", 0, 0, 0, 0));
            if (compareAll) {
                runs.put("max-norm only", config("max-norm only", 0, 0, maxNorm, 0));
                runs.put("dropout only" + connect, config("dropout only" + connect, dropInput, dropHidden, 0,
                        dropConnect));
            }
            runs.put(dropout.name(), dropout);
        } else if (noDropout) {
            runs.put("no dropout" + connect, config("no dropout" + connect, 0, 0, maxNorm, dropConnect));
        } else {
            runs.put(dropout.name(), dropout);
        }
        for (TrainConfig run : runs.values()) { // array sizes, and drop-connect's limit, per layer
            long fanIn = train.width();
            for (int h : run.hidden()) {
                double width = run.scaleWidth() && run.dropHidden() > 0 ? h / (1 - run.dropHidden()) : h;
                if (width * fanIn > MAX_ARRAY || width * batch > MAX_ARRAY) {
                    throw new ParameterException(spec.commandLine(), "a hidden layer of " + Math.round(width)
                            + " units after " + fanIn + " (batch " + batch + ") needs arrays past Java's limit in ["
                            + run.name() + "]");
                }
                if (run.dropConnect() > 0 && Math.round(width) * fanIn > dev.vecdrop.DropConnect.MAX_WEIGHTS) {
                    throw new ParameterException(spec.commandLine(), "--drop-connect takes layers of at most 2^24 "
                            + "weights: " + fanIn + " x " + Math.round(width) + " in [" + run.name() + "]");
                }
                fanIn = Math.round(width);
            }
        }
        console.printf("vecdrop train: %s, %d training / %d test samples, %d epochs, batch %d, seed %d; matrix kernel %s, dropout %s%n",
                synthetic ? "synthetic task" : data, train.count(), test.count(), epochs, batch, seed,
                dev.vecdrop.train.Mlp.matrixKernelName(), dev.vecdrop.Vectorization.implementation());
        for (TrainConfig run : runs.values()) {
            console.printf(Locale.ROOT, "[%s] hidden %s, dropout %.2f/%.2f %s, max-norm %s, drop-connect %s, rate %s, momentum %.2f->%.2f%n",
                    run.name(), java.util.Arrays.toString(run.effectiveHidden()), run.dropInput(), run.dropHidden(),
                    run.scaling(), run.maxNorm() > 0 ? run.maxNorm() : "off",
                    run.dropConnect() > 0 ? run.dropConnect() : "off", run.rate(), run.momentumStart(), run.momentumEnd());
        }
        console.flush();
        // Runs are independent and each is single-threaded and deterministic: train them side by side, one per core.
        Map<String, List<Trainer.Epoch>> results = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.min(runs.size(), Runtime.getRuntime().availableProcessors()));
        try {
            Map<String, Future<List<Trainer.Epoch>>> pending = new LinkedHashMap<>();
            for (TrainConfig run : runs.values()) {
                pending.put(run.name(), pool.submit(() -> Trainer.train(run, finalTrain, finalTest, e -> {
                    synchronized (console) {
                        console.printf(Locale.ROOT,
                                "[%s] epoch %2d/%d  loss %.4f  train error %6.2f%%  test error %6.2f%%  test loss %.4f%s  %6.1f s%n",
                                run.name(), e.epoch(), epochs, e.trainLoss(), 100 * e.trainError(), 100 * e.testError(),
                                e.testLoss(), run.maxNorm() > 0 ? String.format(Locale.ROOT, "  max-norm %.1f units/step",
                                        e.projectedPerStep()) : "", e.seconds());
                        console.flush();
                    }
                })));
            }
            for (Map.Entry<String, Future<List<Trainer.Epoch>>> p : pending.entrySet()) {
                results.put(p.getKey(), p.getValue().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (ExecutionException e) {
            throw new IllegalStateException("training failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Files.createDirectories(out);
        TrainingReport.writeCsv(results, out.resolve("training.csv"));
        TrainingReport.writeChart(results, "MLP " + java.util.Arrays.toString(hidden)
                + (scaleWidth ? " (dropout runs widened by 1 / (1 - p))" : "") + " on "
                + (synthetic ? "a synthetic task" : "Fashion-MNIST") + ": dashed train, solid test", out.resolve("training.png"));
        console.printf("%nfinal test error:%n");
        results.forEach((name, history) -> {
            Trainer.Epoch last = history.get(history.size() - 1);
            console.printf(Locale.ROOT, "  %-24s %6.2f%%  (train %5.2f%%, test loss %.4f, %.0f s)%n", name,
                    100 * last.testError(), 100 * last.trainError(), last.testLoss(), last.seconds());
        });
        console.printf("wrote %s and %s%n", out.resolve("training.csv"), out.resolve("training.png"));
        return 0;
    }

    /**
     * Makes {@link #out} and proves it takes files, so that a place the results cannot go is reported before
     * training (a full run takes minutes to hours), not after it: until stop 31 it failed with exit 1 once every
     * epoch had run, and the results were lost.
     */
    private void requireWritableOut() {
        try {
            Files.createDirectories(out);
            Files.delete(Files.createTempFile(out, ".vecdrop-train-", ".tmp"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " cannot take the results: " + e);
        }
    }

    /** The most elements of one Java array. */
    private static final double MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** A run's settings; runs without dropout take the plain rate and momentum. */
    private TrainConfig config(String name, double pIn, double pHidden, float bound, double pConnect) {
        boolean plain = pIn == 0 && pHidden == 0 && pConnect == 0;
        float[] m = plain ? plainMomentum : momentum;
        return new TrainConfig(name, hidden, pIn, pHidden, scaleWidth, bound, scaling, plain ? plainRate : rate, rateDecay,
                m[0], m[1], momentumEpochs, epochs, batch, seed, pConnect);
    }
}
