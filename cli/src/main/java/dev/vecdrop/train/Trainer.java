package dev.vecdrop.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains an {@link Mlp} on a dataset for a fixed number of epochs and records, per epoch, the training loss, the
 * training and test error, and the wall time. Same seed, same machine: the same curves, bit for bit.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class Trainer {

    /**
     * One epoch's numbers; errors are fractions in [0, 1]. {@code trainLoss} is the mean over the epoch's training
     * steps (dropout on); {@code testLoss} the mean cross-entropy on the test set in eval mode, where over-fitting
     * shows first. {@code projectedPerStep}: hidden units max-norm scaled down, per training step on average
     * (0 when the constraint never binds).
     */
    public record Epoch(int epoch, double trainLoss, double trainError, double testError, double testLoss,
                        double projectedPerStep, double seconds) {}

    /** Samples of the training set that the per-epoch training error is measured on (eval mode, no dropout). */
    static final int TRAIN_ERROR_SAMPLES = 10_000;

    private Trainer() {}

    /** Runs {@code config}; {@code progress} sees each epoch as it ends. */
    public static List<Epoch> train(TrainConfig config, Dataset train, Dataset test, Consumer<Epoch> progress) {
        int[] hidden = config.effectiveHidden();
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = train.width();
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = train.classes();
        Mlp net = new Mlp(sizes, config.dropInput(), config.dropHidden(), config.scaling(), config.dropConnect(),
                config.batch(), config.seed());
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        float[] batchX = new float[config.batch() * train.width()];
        byte[] batchY = new byte[config.batch()];
        List<Epoch> history = new ArrayList<>();
        float rate = config.rate();
        long start = System.nanoTime();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            shuffle(order, shuffler);
            float momentum = config.momentum(epoch);
            double lossSum = 0;
            long projected = 0;
            int batches = 0;
            for (int from = 0; from + config.batch() <= train.count(); from += config.batch()) {
                for (int s = 0; s < config.batch(); s++) {
                    int sample = order[from + s];
                    System.arraycopy(train.features(), sample * train.width(), batchX, s * train.width(), train.width());
                    batchY[s] = train.labels()[sample];
                }
                net.forward(batchX, 0, config.batch(), true);
                lossSum += net.loss(batchY, 0, config.batch(), null);
                net.backward(config.batch());
                projected += net.update(rate, momentum, config.maxNorm());
                batches++;
            }
            rate *= config.rateDecay();
            Score trainScore = evaluate(net, train, Math.min(TRAIN_ERROR_SAMPLES, train.count()), config.batch());
            Score testScore = evaluate(net, test, test.count(), config.batch());
            Epoch done = new Epoch(epoch + 1, lossSum / batches, trainScore.error(), testScore.error(), testScore.loss(),
                    projected / (double) batches, (System.nanoTime() - start) / 1e9);
            history.add(done);
            progress.accept(done);
        }
        return history;
    }

    /** Fraction of samples misclassified and mean cross-entropy, in eval mode. */
    record Score(double error, double loss) {}

    /** The network's {@link Score} in eval mode on the first {@code samples} samples. */
    static Score evaluate(Mlp net, Dataset data, int samples, int batch) {
        int[] errors = new int[1];
        double lossSum = 0;
        for (int from = 0; from < samples; from += batch) {
            int count = Math.min(batch, samples - from);
            net.forward(data.features(), from * data.width(), count, false);
            lossSum += net.loss(data.labels(), from, count, errors) * count;
        }
        return new Score(errors[0] / (double) samples, lossSum / samples);
    }

    /** Fisher-Yates with the run's own generator, so the order depends only on the seed. */
    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
