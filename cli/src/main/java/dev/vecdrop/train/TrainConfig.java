package dev.vecdrop.train;

import dev.vecdrop.Scaling;

/**
 * What one training run does. Defaults follow the practical guide in Srivastava et al. 2014, Appendix A.
 *
 * @param hidden        hidden layer widths before {@code --scale-width}
 * @param dropInput     drop probability on the input (guide: 0.2)
 * @param dropHidden    drop probability after each hidden layer (guide: 0.5)
 * @param scaleWidth    widen hidden layers to {@code n / (1 - p)} when dropout is on (guide: n/p with p the keep probability)
 * @param maxNorm       max-norm bound on each hidden unit's incoming weights, 0 for none (guide: 3-4)
 * @param rate          initial learning rate (guide: 10-100x a plain net's for dropout nets)
 * @param rateDecay     the rate is multiplied by this after every epoch
 * @param momentumStart momentum at the first epoch
 * @param momentumEnd   momentum reached after {@code momentumEpochs} epochs (guide: 0.95-0.99)
 * @param dropConnect   drop-connect probability on each hidden layer's incoming weights per step, 0 for none
 */
public record TrainConfig(String name, int[] hidden, double dropInput, double dropHidden, boolean scaleWidth,
                          float maxNorm, Scaling scaling, float rate, float rateDecay, float momentumStart,
                          float momentumEnd, int momentumEpochs, int epochs, int batch, long seed,
                          double dropConnect) {

    /** A run without drop-connect. */
    public TrainConfig(String name, int[] hidden, double dropInput, double dropHidden, boolean scaleWidth,
                       float maxNorm, Scaling scaling, float rate, float rateDecay, float momentumStart,
                       float momentumEnd, int momentumEpochs, int epochs, int batch, long seed) {
        this(name, hidden, dropInput, dropHidden, scaleWidth, maxNorm, scaling, rate, rateDecay, momentumStart,
                momentumEnd, momentumEpochs, epochs, batch, seed, 0);
    }

    /** Hidden widths after {@code scaleWidth}. */
    public int[] effectiveHidden() {
        int[] widths = hidden.clone();
        if (scaleWidth && dropHidden > 0) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = (int) Math.round(widths[i] / (1 - dropHidden));
            }
        }
        return widths;
    }

    /** Momentum at {@code epoch} (0-based): a linear ramp, as in the paper. */
    public float momentum(int epoch) {
        if (epoch >= momentumEpochs) {
            return momentumEnd;
        }
        return momentumStart + (momentumEnd - momentumStart) * epoch / momentumEpochs;
    }
}
