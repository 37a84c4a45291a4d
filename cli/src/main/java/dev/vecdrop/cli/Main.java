package dev.vecdrop.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code vecdrop} command line: {@code info}, {@code mask}, {@code uniforms}, {@code normals}, {@code verify},
 * {@code bench} and {@code train}.
 * Bad options give one line on stderr and exit code 2, never a stack trace; output that fails (a full disk, a
 * reader gone) exits 1, whichever the command.
 *
 * <p>Thread-safety: one instance per invocation.
 */
@Command(name = "vecdrop", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Bit-exact SIMD dropout for the JVM.",
        subcommands = {InfoCommand.class, MaskCommand.class, UniformsCommand.class, NormalsCommand.class, VerifyCommand.class, BenchCommand.class, TrainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad usage. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    /** Where binary output (the raw mask stream) goes. */
    final OutputStream binaryOut;

    Main(OutputStream binaryOut) {
        this.binaryOut = binaryOut;
    }

    /** Runs the tool and exits with its exit code. */
    public static void main(String[] args) {
        // Raw output goes straight to the file descriptor: a PrintStream would swallow the broken-pipe error
        // that ends an endless stream.
        OutputStream binaryOut = new FileOutputStream(FileDescriptor.out);
        int code = execute(args, binaryOut, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs the tool with the given streams and returns its exit code. */
    static int execute(String[] args, OutputStream binaryOut, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main(binaryOut));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            CommandLine bad = e.getCommandLine();
            bad.getErr().println("vecdrop: " + e.getMessage() + " (see '"
                    + bad.getCommandSpec().qualifiedName(" ") + " --help')");
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, bad, ignored) -> {
            if (e instanceof IllegalArgumentException) {
                bad.getErr().println("vecdrop: " + e.getMessage());
                return USAGE;
            }
            bad.getErr().println("vecdrop: failed: " + e);
            return 1;
        });
        int code = commandLine.execute(args);
        if (out.checkError() && code == 0) { // flushes; a PrintWriter keeps its write errors to itself
            err.println("vecdrop: output failed (disk full, or the reader went away)");
            code = 1;
        }
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: info, mask, uniforms, normals, verify, bench or train");
    }

    /**
     * The module version javac recorded; on the class path ({@code java -jar}) the jar manifest's
     * Implementation-Version; "dev" when run from classes.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vecdrop " + version()};
        }

        static String version() {
            var descriptor = Main.class.getModule().getDescriptor();
            if (descriptor != null && descriptor.rawVersion().isPresent()) {
                return descriptor.rawVersion().get();
            }
            String fromManifest = Main.class.getPackage().getImplementationVersion();
            return fromManifest != null ? fromManifest : "dev";
        }
    }
}
