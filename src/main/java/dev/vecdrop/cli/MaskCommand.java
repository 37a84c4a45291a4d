package dev.vecdrop.cli;

import dev.vecdrop.Dropout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vecdrop mask}: the packed keep bits of a stream window, as hex lines or raw little-endian words. */
@Command(name = "mask", mixinStandardHelpOptions = true,
        description = {"Print mask words: word j holds elements offset+64j .. offset+64j+63, LSB first.",
                "hex: one word per line, 16 lowercase hex digits. raw: little-endian 64-bit words on stdout,",
                "endlessly if --count is omitted (for statistical test batteries)."})
final class MaskCommand implements Runnable {

    /** Elements per generated chunk: a multiple of 64, so chunked words equal one call's words. */
    static final int CHUNK = 1 << 16;

    enum Implementation { scalar, vector }

    enum Format { hex, raw }

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--seed", required = true, converter = SeedConverter.class,
            description = "Stream seed: decimal, or 0x followed by up to 16 hex digits.")
    long seed;

    @Option(names = "--offset", defaultValue = "0", description = "First stream element (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--count", description = "Number of elements; required for hex, endless raw output if omitted.")
    Long count;

    @Option(names = "--p", required = true, description = "Drop probability in [0, 1].")
    double p;

    @Option(names = "--impl", defaultValue = "vector",
            description = "scalar (the reference) or vector (the kernels picked at start-up). Default: ${DEFAULT-VALUE}.")
    Implementation implementation;

    @Option(names = "--format", defaultValue = "hex", description = "hex or raw (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public void run() {
        Dropout dropout = Dropout.inverted(p); // the mask does not depend on the scaling
        if (implementation == Implementation.scalar) {
            dropout = dropout.scalarReference();
        }
        if (count == null && format == Format.hex) {
            throw new ParameterException(spec.commandLine(), "--count is required with --format hex");
        }
        if (count != null && count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be >= 0, got " + count);
        }
        if (offset < 0 || (count != null && offset > Long.MAX_VALUE - count)) {
            throw new ParameterException(spec.commandLine(),
                    "--offset must be >= 0 and --offset + --count at most 2^63 - 1");
        }
        long[] words = new long[CHUNK / 64];
        if (format == Format.hex) {
            writeHex(dropout, words, spec.commandLine().getOut());
        } else {
            writeRaw(dropout, words, main.binaryOut);
        }
    }

    private void writeHex(Dropout dropout, long[] words, PrintWriter out) {
        for (long done = 0; done < count; done += CHUNK) {
            int n = (int) Math.min(CHUNK, count - done);
            dropout.mask(seed, offset + done, words, 0, n);
            for (int w = 0; w < Dropout.maskWords(n); w++) {
                out.println(String.format("%016x", words[w]));
            }
        }
        out.flush();
    }

    private void writeRaw(Dropout dropout, long[] words, OutputStream out) {
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK / 8).order(ByteOrder.LITTLE_ENDIAN);
        long end = count == null ? Long.MAX_VALUE : offset + count;
        try {
            for (long position = offset; position < end; position += CHUNK) {
                int n = (int) Math.min(CHUNK, end - position);
                dropout.mask(seed, position, words, 0, n);
                bytes.clear();
                bytes.asLongBuffer().put(words, 0, Dropout.maskWords(n));
                out.write(bytes.array(), 0, Dropout.maskWords(n) * 8);
            }
            out.flush();
        } catch (IOException e) {
            // The reader went away (a test battery closing its pipe): that is how endless output ends.
        }
    }

}
