package dev.vecdrop.train;

import dev.vecdrop.Scaling;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Trains a small dropout + max-norm network on a synthetic task and prints each epoch's training and test loss as raw bits:
 * a fingerprint of every weight the run produced. Awkward widths (37 inputs, 50 and 70 hidden units) put the
 * matrix kernel's vector tiles, vector tails and scalar rows all to work.
 */
public final class TrainingFingerprint {

    private TrainingFingerprint() {}

    static String run() {
        Dataset all = Dataset.synthetic(1_500, 37, 10, 11);
        TrainConfig config = new TrainConfig("fingerprint", new int[] {50, 70}, 0.2, 0.5, false, 1.5f,
                Scaling.INVERTED, 0.05f, 0.95f, 0.5f, 0.9f, 2, 3, 30, 5);
        List<Trainer.Epoch> history = Trainer.train(config, all.slice(0, 1_200), all.slice(1_200, 300), e -> {});
        return history.stream().map(e -> Long.toHexString(Double.doubleToRawLongBits(e.trainLoss())) + "/"
                + Long.toHexString(Double.doubleToRawLongBits(e.testLoss()))).collect(Collectors.joining(" "));
    }

    public static void main(String[] args) {
        System.out.println(run());
    }
}
