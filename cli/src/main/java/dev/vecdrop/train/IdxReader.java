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
 * <p>Thread-safety: stateless. Allocation: the data read, about once its size while it comes in, then the result.
 */
public final class IdxReader {

    static final int IMAGES_MAGIC = 0x0000_0803;
    static final int LABELS_MAGIC = 0x0000_0801;
    /** The most bytes of data a file may promise: the largest Java array. */
    private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private IdxReader() {}

    /** Images as floats in [0, 1], each image's {@code rows * cols} pixels contiguous. */
    public record Images(int count, int rows, int cols, float[] pixels) {
        public int features() {
            return rows * cols;
        }
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, header(file, in), IMAGES_MAGIC);
            int count = header(file, in);
            int rows = header(file, in);
            int cols = header(file, in);
            if (count <= 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > MAX_BYTES) {
                throw new IOException(file + ": implausible image dimensions " + count + " x " + rows + " x " + cols);
            }
            byte[] raw = readFully(file, in, count * rows * cols);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xFF) / 255.0f;
            }
            return new Images(count, rows, cols, pixels);
        } catch (java.util.zip.ZipException e) { // a .gz name over another format, or a damaged stream
            throw new IOException(file + ": not a readable gzip file (" + e.getMessage() + ")", e);
        }
    }

    /** Labels as bytes. */
    public static byte[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, header(file, in), LABELS_MAGIC);
            int count = header(file, in);
            if (count <= 0 || count > MAX_BYTES) {
                throw new IOException(file + ": implausible label count " + count);
            }
            return readFully(file, in, count);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a readable gzip file (" + e.getMessage() + ")", e);
        }
    }

    /** One big-endian int of the header; an end of file here is a header cut short. */
    private static int header(Path file, DataInputStream in) throws IOException {
        try {
            return in.readInt();
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

    /**
     * Reads the {@code length} bytes of data the header promises, in pieces as they come (so a header that promises
     * more than the file holds costs what the file holds, not what it promises); an early end, or a gzip stream cut
     * short, is reported as truncation of the data.
     */
    private static byte[] readFully(Path file, DataInputStream in, int length) throws IOException {
        byte[] data;
        try {
            data = in.readNBytes(length);
        } catch (EOFException e) { // GZIPInputStream: "Unexpected end of ZLIB input stream"
            throw new IOException(file + ": truncated, the compressed data ends before the " + length
                    + " bytes the header promises", e);
        }
        if (data.length < length) {
            throw new IOException(file + ": truncated, the header promises " + length + " bytes of data, found "
                    + data.length);
        }
        return data;
    }
}
