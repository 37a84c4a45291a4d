package dev.vecdrop.cli;

import dev.vecdrop.MaskStream;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vecdrop uniforms}: the contract's 32-bit uniforms {@code u(seed, e)} themselves, for test batteries. */
@Command(name = "uniforms", mixinStandardHelpOptions = true,
        description = {"Print the 32-bit uniforms u(seed, e) the keep decisions are made from.",
                "hex: one per line, 8 lowercase hex digits. raw: little-endian 32-bit words on stdout,",
                "endlessly if --count is omitted (e.g. | dieharder -a -g 200)."})
final class UniformsCommand implements Runnable {

    static final int CHUNK = 1 << 14;

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    StreamWindow window;

    @Override
    public void run() {
        window.check(spec);
        if (window.format == StreamWindow.Format.hex) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter text = StreamWindow.buffered(out);
            for (long e = window.offset; e < window.end(); e++) {
                text.println(String.format("%08x", MaskStream.uniform32(window.seed, e)));
                if ((e & 4095) == 4095) { // now and then: a closed output ends the loop, not the count
                    StreamWindow.requireWritten(text, out, e + 1 - window.offset);
                }
            }
            StreamWindow.requireWritten(text, out, window.end() - window.offset);
        } else {
            RawStream.write(main.binaryOut, window.offset, window.count, CHUNK, CHUNK * 4, (position, n, bytes) -> {
                for (int i = 0; i < n; i++) {
                    bytes.putInt(MaskStream.uniform32(window.seed, position + i));
                }
            });
        }
    }
}
