package dev.vecdrop.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options that name a window of the mask stream, shared by {@code mask} and {@code uniforms} (a picocli
 * mixin), with their checks; {@code normals} uses the checks with formats of its own.
 */
final class StreamWindow {

    enum Format { hex, raw }

    @Option(names = "--seed", required = true, converter = SeedConverter.class,
            description = "Stream seed: decimal, or 0x followed by up to 16 hex digits.")
    long seed;

    @Option(names = "--offset", defaultValue = "0", description = "First stream element (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--count", description = "Number of elements; required for hex, endless raw output if omitted.")
    Long count;

    @Option(names = "--format", defaultValue = "hex", description = "hex or raw (default: ${DEFAULT-VALUE}).")
    Format format;

    /** Rejects a window that is not in the stream, or hex output without an end. */
    void check(CommandSpec spec) {
        if (count == null && format == Format.hex) {
            throw new ParameterException(spec.commandLine(), "--count is required with --format hex");
        }
        checkRange(spec, offset, count);
    }

    /**
     * Rejects a negative count, and a window that is not in the stream; shared with {@code normals}, whose
     * formats differ.
     */
    static void checkRange(CommandSpec spec, long offset, Long count) {
        if (count != null && count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be >= 0, got " + count);
        }
        if (offset < 0 || (count != null && offset > Long.MAX_VALUE - count)) {
            throw new ParameterException(spec.commandLine(),
                    "--offset must be >= 0 and --offset + --count at most 2^63 - 1");
        }
    }

    /**
     * The text output of a stream command, buffered over the command's {@code out}: that one flushes at every line
     * (for {@code train}'s and {@code bench}'s progress), which made a write system call a line, and 10M uniforms
     * took 16.9 s through a pipe, against 3.0 s buffered (a review helper, stop 32). {@link #requireWritten} flushes it.
     */
    static java.io.PrintWriter buffered(java.io.PrintWriter out) {
        return new java.io.PrintWriter(new java.io.BufferedWriter(out, 1 << 16), false);
    }

    /**
     * Flushes {@code text} (from {@link #buffered}) into {@code out}, then throws if {@code out} has failed to write
     * (a {@code PrintWriter} keeps its errors to itself): a window of {@code --count} values printed in part is an
     * error, whether the disk filled or the reader went away.
     */
    static void requireWritten(java.io.PrintWriter text, java.io.PrintWriter out, long values) {
        text.flush();
        if (out.checkError()) {
            throw new java.io.UncheckedIOException(new java.io.IOException("output failed after at most " + values
                    + " values (disk full, or the reader went away)"));
        }
    }

    /** One past the last element; {@code Long.MAX_VALUE} when endless. */
    long end() {
        return end(offset, count);
    }

    /** One past the last element of a checked window; {@code Long.MAX_VALUE} when endless. */
    static long end(long offset, Long count) {
        return count == null ? Long.MAX_VALUE : offset + count;
    }
}
