package dev.vecdrop.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Samples as contiguous feature vectors ({@code features} floats each) with byte labels.
 *
 * <p>Thread-safety: immutable once built (the arrays are not copied; do not change them).
 */
public record Dataset(float[] features, byte[] labels, int count, int width, int classes) {

    /** The four Fashion-MNIST (or MNIST) IDX files' names. */
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** Fashion-MNIST as the Debian package {@code dataset-fashion-mnist} installs it. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /** Reads {@code train-*} ({@code test == false}) or {@code t10k-*} from {@code directory}. */
    public static Dataset load(Path directory, boolean test) throws IOException {
        Path images = directory.resolve(test ? TEST_IMAGES : TRAIN_IMAGES);
        Path labels = directory.resolve(test ? TEST_LABELS : TRAIN_LABELS);
        for (Path file : new Path[] {images, labels}) {
            if (!Files.isRegularFile(file)) {
                throw new IOException(file + " not found. Fashion-MNIST: apt-get install dataset-fashion-mnist"
                        + " (puts the four .gz files in " + DEFAULT_DIRECTORY + "), or pass --data DIR");
            }
        }
        IdxReader.Images read = IdxReader.readImages(images);
        byte[] y = IdxReader.readLabels(labels);
        if (y.length != read.count()) {
            throw new IOException(images + " has " + read.count() + " images but " + labels + " has " + y.length + " labels");
        }
        for (int i = 0; i < y.length; i++) { // the network has 10 outputs: another label would index past them
            if (y[i] < 0 || y[i] >= 10) {
                throw new IOException(labels + ": label " + (y[i] & 0xff) + " of sample " + i + " is not a class 0-9");
            }
        }
        return new Dataset(read.pixels(), y, read.count(), read.features(), 10);
    }

    /** Samples {@code [from, from + n)}, cut to what exists. */
    public Dataset slice(int from, int n) {
        int m = Math.max(0, Math.min(n, count - from));
        return new Dataset(java.util.Arrays.copyOfRange(features, from * width, (from + m) * width),
                java.util.Arrays.copyOfRange(labels, from, from + m), m, width, classes);
    }

    /**
     * A synthetic task for tests and offline smoke runs: {@code classes} Gaussian clusters in {@code width}
     * dimensions with overlapping noise, so a network can learn it but not trivially.
     */
    public static Dataset synthetic(int count, int width, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centres = new float[classes][width];
        for (float[] centre : centres) {
            for (int i = 0; i < width; i++) {
                centre[i] = (float) random.nextGaussian();
            }
        }
        float[] x = new float[count * width];
        byte[] y = new byte[count];
        for (int s = 0; s < count; s++) {
            int label = random.nextInt(classes);
            y[s] = (byte) label;
            for (int i = 0; i < width; i++) {
                x[s * width + i] = (float) (centres[label][i] + 1.5 * random.nextGaussian());
            }
        }
        return new Dataset(x, y, count, width, classes);
    }
}
