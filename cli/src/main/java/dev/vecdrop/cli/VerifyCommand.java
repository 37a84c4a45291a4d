package dev.vecdrop.cli;

import dev.vecdrop.Vectorization;
import dev.vecdrop.verify.Verifier;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vecdrop verify}: the kernels picked on this CPU against the scalar reference, bit for bit. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run the kernels picked on this CPU against the scalar reference for many sizes, offsets",
                "and p; print a summary; exit 1 on any mismatch."})
final class VerifyCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--require-vector", description = "Fail (exit 1) when only the scalar reference is available.")
    boolean requireVector;

    @Option(names = "--max-length", paramLabel = "N", description = {"Only the cases of at most N elements "
            + "(default: all, up to 65,553). 130 is a quick check: every tail of every width, every form.",
            "4097 adds every vector body and block edge; the longer lengths run the same loops again."})
    Integer maxLength;

    @Override
    public Integer call() {
        if (maxLength != null && maxLength < 0) {
            throw new ParameterException(spec.commandLine(), "--max-length must be >= 0, got " + maxLength);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String implementation = Vectorization.implementation();
        if (Vectorization.vectorBitSize() == 0) {
            out.println("verify: only the scalar reference runs here (" + Vectorization.reason()
                    + "); there is no vector path to compare");
            return requireVector ? 1 : 0;
        }
        long start = System.nanoTime();
        Progress progress = new Progress(err);
        Verifier verifier = Verifier.activeAgainstReference();
        if (maxLength != null) {
            verifier = verifier.upToLength(maxLength);
        }
        Verifier.Report report = verifier.run(fraction -> progress.show(
                String.format("verify: %s vs scalar reference %3.0f%%", implementation, 100 * fraction)));
        progress.clear();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("verify: %s vs scalar reference: %d cases, %d operations (float32 and float64; arrays, heap and"
                        + " native segments; element-wise and per-channel masks; the normal stream), %d mismatches (%.1f s)%n",
                implementation, report.cases(), report.operations(), report.mismatches(), seconds);
        if (!report.passed()) {
            out.println("first mismatch: " + report.firstMismatch());
            return 1;
        }
        return 0;
    }
}
