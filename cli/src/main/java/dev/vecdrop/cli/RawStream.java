package dev.vecdrop.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a stream window as little-endian binary, chunk by chunk, endlessly when no count is given; a reader
 * that goes away (a test battery closing its pipe) ends an endless stream quietly, and a counted window written in
 * part fails ({@link java.io.UncheckedIOException}: exit 1).
 *
 * <p>Thread-safety: not thread-safe. Allocation: one buffer per stream.
 */
final class RawStream {

    /** Fills {@code out} with the encoding of stream elements {@code [position, position + count)}. */
    @FunctionalInterface
    interface Encoder {
        void encode(long position, int count, ByteBuffer out);
    }

    private RawStream() {}

    /**
     * @param count      the elements, or {@code null} for endless (a counted window may end at {@code 2^63 - 1} too)
     * @param chunk      elements per chunk
     * @param chunkBytes the most bytes one chunk encodes to
     */
    static void write(OutputStream out, long start, Long count, int chunk, int chunkBytes, Encoder encoder) {
        long end = StreamWindow.end(start, count);
        ByteBuffer bytes = ByteBuffer.allocate(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            // Advanced by n, not by chunk: a window ending within a chunk of 2^63 - 1 would overflow the position.
            for (long position = start; position < end; ) {
                int n = (int) Math.min(chunk, end - position);
                bytes.clear();
                encoder.encode(position, n, bytes);
                out.write(bytes.array(), 0, bytes.position());
                position += n;
            }
            out.flush();
        } catch (IOException e) {
            if (count != null) { // a counted window written in part: the disk filled or the reader left
                throw new java.io.UncheckedIOException("output failed: " + e.getMessage(), e);
            }
            // Endless: the reader went away, which is how an endless stream ends.
        }
    }
}
