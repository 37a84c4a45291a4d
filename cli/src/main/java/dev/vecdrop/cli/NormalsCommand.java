package dev.vecdrop.cli;

import dev.vecdrop.NormalStream;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code vecdrop normals}: the normal stream {@code z(seed, e)} (docs/mask-stream.md, "Normal stream, version 1"),
 * for test batteries and for checking another implementation against this one.
 */
@Command(name = "normals", mixinStandardHelpOptions = true,
        description = {"Print the standard normals z(seed, e) of the normal stream, version 1.",
                "text: one float32 per line, as Java's Float.toString prints it. raw: little-endian float32 on",
                "stdout, endlessly if --count is omitted."})
final class NormalsCommand implements Runnable {

    /** Values per block: even, so that with an even {@code --offset} every block starts on a Box-Muller pair. */
    static final int CHUNK = 1 << 14;

    enum Format { text, raw }

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--seed", required = true, converter = SeedConverter.class,
            description = "Stream seed: decimal, or 0x followed by up to 16 hex digits.")
    long seed;

    @Option(names = "--offset", defaultValue = "0", description = "First stream element (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--count", description = "Number of values; required for text, endless raw output if omitted.")
    Long count;

    @Option(names = "--format", defaultValue = "text", description = "text or raw (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public void run() {
        if (count == null && format == Format.text) {
            throw new ParameterException(spec.commandLine(), "--count is required with --format text");
        }
        StreamWindow.checkRange(spec, offset, count);
        long end = StreamWindow.end(offset, count);
        // The vector fill, block by block: the value of an element does not depend on the block it lands in.
        float[] values = new float[CHUNK];
        if (format == Format.text) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter text = StreamWindow.buffered(out);
            // Advanced by n, not by CHUNK: a window ending within a chunk of 2^63 - 1 would overflow the position.
            for (long position = offset; position < end; ) {
                int n = (int) Math.min(CHUNK, end - position);
                NormalStream.fill(seed, position, values, 0, n);
                for (int i = 0; i < n; i++) {
                    text.println(Float.toString(values[i]));
                }
                position += n;
                StreamWindow.requireWritten(text, out, position - offset);
            }
            StreamWindow.requireWritten(text, out, end - offset);
        } else {
            RawStream.write(main.binaryOut, offset, count, CHUNK, CHUNK * Float.BYTES, (position, n, bytes) -> {
                NormalStream.fill(seed, position, values, 0, n);
                for (int i = 0; i < n; i++) {
                    bytes.putFloat(values[i]);
                }
            });
        }
    }
}
