package dev.vecdrop.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Inverted dropout as a user would write it with the JDK alone: the baseline vecdrop has to beat.
 *
 * <p>Thread-safety: stateless.
 */
final class Baselines {

    private Baselines() {}

    static void splittableRandomForward(long seed, float keep, float scale, float[] x, float[] y, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            y[i] = random.nextFloat() < keep ? x[i] * scale : 0.0f;
        }
    }

    static void threadLocalRandomForward(float keep, float scale, float[] x, float[] y, int n) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            y[i] = random.nextFloat() < keep ? x[i] * scale : 0.0f;
        }
    }
}
