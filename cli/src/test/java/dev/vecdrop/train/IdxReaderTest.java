package dev.vecdrop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static byte[] images(int magic, int count, int rows, int cols, int dataBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < dataBytes; i++) {
            out.writeByte(i * 37);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path file = dir.resolve(name + (gzip ? ".gz" : ""));
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsImagesAndLabelsPlainAndGzipped() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            IdxReader.Images read = IdxReader.readImages(write("img", images(0x803, 3, 2, 2, 12), gzip));
            assertEquals(3, read.count());
            assertEquals(4, read.features());
            assertEquals((37 & 0xFF) / 255.0f, read.pixels()[1]);
            assertEquals(((11 * 37) & 0xFF) / 255.0f, read.pixels()[11]);
            byte[] labels = {0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9};
            assertArrayEquals(new byte[] {7, 2, 9}, IdxReader.readLabels(write("lab", labels, gzip)));
        }
    }

    @Test
    void rejectsAWrongMagicNumberSayingWhatItFound() throws IOException {
        Path labelsAsImages = write("swapped", new byte[] {0, 0, 8, 1, 0, 0, 0, 0}, true);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(labelsAsImages));
        assertTrue(e.getMessage().contains("not an IDX image file") && e.getMessage().contains("0x00000801"), e.getMessage());
        Path imagesAsLabels = write("swapped2", images(0x803, 1, 1, 1, 1), false);
        e = assertThrows(IOException.class, () -> IdxReader.readLabels(imagesAsLabels));
        assertTrue(e.getMessage().contains("not an IDX label file"), e.getMessage());
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] full = images(0x803, 3, 2, 2, 12);
        Path shortData = write("short", Arrays.copyOf(full, full.length - 1), true);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(shortData));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("12 bytes"), e.getMessage());
        Path shortHeader = write("header", Arrays.copyOf(full, 6), false);
        e = assertThrows(IOException.class, () -> IdxReader.readImages(shortHeader));
        assertTrue(e.getMessage().contains("truncated inside its header"), e.getMessage());
        Path shortLabels = write("labels", new byte[] {0, 0, 8, 1, 0, 0, 0, 5, 1}, true);
        e = assertThrows(IOException.class, () -> IdxReader.readLabels(shortLabels));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsImplausibleDimensions() throws IOException {
        Path file = write("dims", images(0x803, 70_000, 70_000, 70_000, 0), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains("implausible"), e.getMessage());
    }

    /**
     * Files that broke the reader until stop 31 (found by a review helper): a gzip stream cut short was reported as a
     * truncated header; a plain file named {@code .gz} gave "Not in GZIP format" without the file's name; a header
     * promising 2^31 - 1 bytes of data ended in an OutOfMemoryError (it allocated what the header promised before
     * reading); and a file of no images loaded, training then reporting NaN test errors.
     */
    @Test
    void damagedCompressedFilesLyingHeadersAndEmptyFilesAreNamedAndRejected() throws IOException {
        byte[] full = images(0x803, 2_000, 28, 28, 2_000 * 28 * 28);
        Path whole = write("cut", full, true);
        byte[] gz = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut2.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().contains("cut2.gz: truncated,"), e.getMessage());

        Path notGzip = dir.resolve("plain.gz");
        Files.write(notGzip, images(0x803, 1, 1, 1, 1));
        e = assertThrows(IOException.class, () -> IdxReader.readImages(notGzip));
        assertTrue(e.getMessage().contains("plain.gz: not a readable gzip file"), e.getMessage());

        Path lying = write("lying", images(0x803, Integer.MAX_VALUE - 8, 1, 1, 10), true);
        e = assertThrows(IOException.class, () -> IdxReader.readImages(lying));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("found 10"), e.getMessage());

        Path empty = write("empty", images(0x803, 0, 28, 28, 0), false);
        e = assertThrows(IOException.class, () -> IdxReader.readImages(empty));
        assertTrue(e.getMessage().contains("implausible"), e.getMessage());
        Path noLabels = write("nolabels", new byte[] {0, 0, 8, 1, 0, 0, 0, 0}, false);
        e = assertThrows(IOException.class, () -> IdxReader.readLabels(noLabels));
        assertTrue(e.getMessage().contains("implausible label count 0"), e.getMessage());
    }

    @Test
    void aMissingDatasetSaysHowToGetIt() {
        IOException e = assertThrows(IOException.class, () -> Dataset.load(dir.resolve("nowhere"), false));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    /**
     * A label outside 0-9 (an EMNIST letters file, say) is rejected when the data set loads: the network has 10
     * outputs, and until stop 30 such a label indexed past them in training (an ArrayIndexOutOfBoundsException, or,
     * inside a batch, another sample's outputs read silently).
     */
    @Test
    void aDataSetWithALabelOutsideTheTenClassesIsRejected() throws IOException {
        byte[] imageFile = images(0x803, 3, 2, 2, 12);
        write(Dataset.TRAIN_IMAGES.replace(".gz", ""), imageFile, true);
        write(Dataset.TRAIN_LABELS.replace(".gz", ""), new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9}, true);
        assertEquals(3, Dataset.load(dir, false).count());
        write(Dataset.TRAIN_LABELS.replace(".gz", ""), new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 7, 25, 9}, true);
        IOException e = assertThrows(IOException.class, () -> Dataset.load(dir, false));
        assertTrue(e.getMessage().contains("label 25 of sample 1"), e.getMessage());
    }
}
