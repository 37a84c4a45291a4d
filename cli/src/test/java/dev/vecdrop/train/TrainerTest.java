package dev.vecdrop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.Scaling;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Short runs on a synthetic task, so CI needs no download. */
class TrainerTest {

    private static final Dataset ALL = Dataset.synthetic(3_000, 32, 10, 7);
    private static final Dataset TRAIN = ALL.slice(0, 2_000);
    private static final Dataset TEST = ALL.slice(2_000, 1_000);

    private static TrainConfig config(double pIn, double pHidden, float maxNorm, Scaling scaling, long seed) {
        return new TrainConfig("test", new int[] {64, 64}, pIn, pHidden, false, maxNorm, scaling, 0.05f, 0.95f,
                0.5f, 0.9f, 3, 4, 50, seed);
    }

    @Test
    void aDropoutNetLearns() {
        List<Trainer.Epoch> history = Trainer.train(config(0.2, 0.5, 3.5f, Scaling.INVERTED, 1), TRAIN, TEST, e -> {});
        assertEquals(4, history.size());
        assertTrue(history.get(3).trainLoss() < 0.8 * history.get(0).trainLoss(), "loss did not fall: " + history);
        assertTrue(history.get(3).testError() < 0.5, "test error " + history.get(3).testError() + " (chance is 0.9)");
    }

    @Test
    void theSameSeedGivesTheSameCurvesBitForBit() {
        List<Trainer.Epoch> a = Trainer.train(config(0.2, 0.5, 3.5f, Scaling.INVERTED, 3), TRAIN, TEST, e -> {});
        List<Trainer.Epoch> b = Trainer.train(config(0.2, 0.5, 3.5f, Scaling.INVERTED, 3), TRAIN, TEST, e -> {});
        List<Trainer.Epoch> c = Trainer.train(config(0.2, 0.5, 3.5f, Scaling.INVERTED, 4), TRAIN, TEST, e -> {});
        for (int i = 0; i < a.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(a.get(i).trainLoss()), Double.doubleToRawLongBits(b.get(i).trainLoss()));
            assertEquals(a.get(i).testError(), b.get(i).testError());
        }
        assertNotEquals(a.get(0).trainLoss(), c.get(0).trainLoss());
    }

    /**
     * Drop-connect 0.5 on the hidden weights in place of dropout (Wan et al.'s setting): the loss falls, the net
     * learns, and a seed gives the same curves bit for bit.
     */
    @Test
    void aDropConnectNetLearnsAndTheSameSeedGivesTheSameCurvesBitForBit() {
        List<Trainer.Epoch> a = Trainer.train(dropConnect(0.5, 3), TRAIN, TEST, e -> {});
        List<Trainer.Epoch> b = Trainer.train(dropConnect(0.5, 3), TRAIN, TEST, e -> {});
        List<Trainer.Epoch> off = Trainer.train(dropConnect(0, 3), TRAIN, TEST, e -> {});
        assertTrue(a.get(3).trainLoss() < 0.8 * a.get(0).trainLoss(), "loss did not fall: " + a);
        assertTrue(a.get(3).testError() < 0.5, "test error " + a.get(3).testError() + " (chance is 0.9)");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(a.get(i).trainLoss()), Double.doubleToRawLongBits(b.get(i).trainLoss()));
            assertEquals(Double.doubleToRawLongBits(a.get(i).testLoss()), Double.doubleToRawLongBits(b.get(i).testLoss()));
            assertEquals(a.get(i).testError(), b.get(i).testError());
        }
        assertNotEquals(a.get(0).trainLoss(), off.get(0).trainLoss(), "drop-connect changed nothing");
    }

    private static TrainConfig dropConnect(double p, long seed) {
        return new TrainConfig("test", new int[] {64, 64}, 0, 0, false, 3.5f, Scaling.INVERTED, 0.05f, 0.95f,
                0.5f, 0.9f, 3, 4, 50, seed, p);
    }

    @Test
    void classicScalingLearnsToo() {
        List<Trainer.Epoch> classic = Trainer.train(config(0.2, 0.5, 3.5f, Scaling.CLASSIC, 1), TRAIN, TEST, e -> {});
        assertTrue(classic.get(3).testError() < 0.5, "classic test error " + classic.get(3).testError());
    }

    @Test
    void theEpochCountsMaxNormProjectionsAndTheTestLoss() {
        List<Trainer.Epoch> tight = Trainer.train(config(0.2, 0.5, 0.5f, Scaling.INVERTED, 1), TRAIN, TEST, e -> {});
        List<Trainer.Epoch> none = Trainer.train(config(0.2, 0.5, 0, Scaling.INVERTED, 1), TRAIN, TEST, e -> {});
        // He initialisation gives incoming norms near sqrt(2): the first step puts all 128 hidden units on the 0.5
        // ball, and later steps push a share of them back out (41 per step on average, measured)
        assertTrue(tight.get(0).projectedPerStep() > 10, "projections per step: " + tight.get(0).projectedPerStep());
        for (Trainer.Epoch e : none) {
            assertEquals(0.0, e.projectedPerStep());
            assertTrue(e.testLoss() > 0 && Double.isFinite(e.testLoss()), "test loss " + e.testLoss());
        }
    }
}
