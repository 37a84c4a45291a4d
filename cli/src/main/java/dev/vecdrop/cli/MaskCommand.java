package dev.vecdrop.cli;

import dev.vecdrop.Dropout;
import dev.vecdrop.MaskStream;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    StreamWindow window;

    @Option(names = "--p", required = true, description = "Drop probability in [0, 1].")
    double p;

    @Option(names = "--impl", defaultValue = "vector",
            description = "scalar (the reference) or vector (the kernels picked at start-up). Default: ${DEFAULT-VALUE}.")
    Implementation implementation;

    @Override
    public void run() {
        window.check(spec);
        MaskStream.threshold(p); // checks p before a Dropout starts kernel selection, which logs a line
        Dropout dropout = Dropout.inverted(p); // the mask does not depend on the scaling
        if (implementation == Implementation.scalar) {
            dropout = dropout.scalarReference();
        }
        Dropout generator = dropout;
        long[] words = new long[CHUNK / 64];
        if (window.format == StreamWindow.Format.hex) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter text = StreamWindow.buffered(out);
            // Advanced by n, not by CHUNK: a window ending within a chunk of 2^63 - 1 would overflow the position.
            for (long position = window.offset; position < window.end(); ) {
                int n = (int) Math.min(CHUNK, window.end() - position);
                generator.mask(window.seed, position, words, 0, n);
                for (int w = 0; w < Dropout.maskWords(n); w++) {
                    text.println(String.format("%016x", words[w]));
                }
                position += n;
                StreamWindow.requireWritten(text, out, position - window.offset);
            }
            StreamWindow.requireWritten(text, out, window.end() - window.offset);
        } else {
            RawStream.write(main.binaryOut, window.offset, window.count, CHUNK, CHUNK / 8, (position, n, bytes) -> {
                generator.mask(window.seed, position, words, 0, n);
                for (int w = 0; w < Dropout.maskWords(n); w++) {
                    bytes.putLong(words[w]);
                }
            });
        }
    }
}
