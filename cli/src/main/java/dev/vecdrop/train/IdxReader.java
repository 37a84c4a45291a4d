package dev.vecdrop.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files MNIST and Fashion-MNIST ship in ({@code .gz} or plain): unsigned-byte images
 * (magic {@code 0x00000803}) and labels ({@code 0x00000801}). A wrong magic number, implausible dimensions or a
 * file that ends early is an {@link IOException} that says which file and what.
 *
 * <p>Thread-safety: stateless.
 */
public final class IdxReader {

    static final int IMAGES_MAGIC = 0x0000_0803;
    static final int LABELS_MAGIC = 0x0000_0801;

    private IdxReader() {}

    /** Images as floats in [0, 1], each image's {@code rows * cols} pixels contiguous. */
    public record Images(int count, int rows, int cols, float[] pixels) {
        public int features() {
            return rows * cols;
        }
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), IMAGES_MAGIC);
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE) {
                throw new IOException(file + ": implausible image dimensions " + count + " x " + rows + " x " + cols);
            }
            byte[] raw = new byte[count * rows * cols];
            readFully(file, in, raw);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xFF) / 255.0f;
            }
            return new Images(count, rows, cols, pixels);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated inside its header", e);
        }
    }

    /** Labels as bytes. */
    public static byte[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), LABELS_MAGIC);
            int count = in.readInt();
            if (count < 0) {
                throw new IOException(file + ": negative label count " + count);
            }
            byte[] labels = new byte[count];
            readFully(file, in, labels);
            return labels;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated inside its header", e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }

    private static void checkMagic(Path file, int magic, int expected) throws IOException {
        if (magic != expected) {
            throw new IOException(String.format("%s: not an IDX %s file (magic 0x%08x, expected 0x%08x)", file,
                    expected == IMAGES_MAGIC ? "image" : "label", magic, expected));
        }
    }

    /** Reads all of {@code into}; an early end is reported as truncation of the data, not of the header. */
    private static void readFully(Path file, DataInputStream in, byte[] into) throws IOException {
        int done = 0;
        while (done < into.length) {
            int n = in.read(into, done, into.length - done);
            if (n < 0) {
                throw new IOException(file + ": truncated, the header promises " + into.length + " bytes of data, found "
                        + done);
            }
            done += n;
        }
    }
}
