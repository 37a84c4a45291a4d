package dev.vecdrop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.verify.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The active kernels (whatever width this JVM picked or was forced to) against the scalar reference: every
 * operation, sizes 0..130 and past every word and tail boundary, even and odd stream offsets, p at and next to
 * both ends, special floats, in-place and chunked calls; all outputs compared bit for bit, guards included. The
 * normal stream's fill likewise, against its scalar reference. Every semantic test of the default leg holds at each
 * width this passes at, for the operations and inputs it compares; so the width legs run this, not those. Not run
 * without the vector module: the active kernels are the reference there (the harness would compare it with itself).
 */
@Tag("matrix")
class VectorMatchesScalarTest {

    /**
     * The longest case, where a leg names one ({@code vecdrop.test.verifyMaxLength}): the matrix legs stop at
     * 4,097, past every vector body, tail and block edge; the two longer lengths run the same loops again, and the
     * default leg (and {@code ./vecdrop verify}) runs them.
     */
    private static final int MAX_LENGTH = Integer.getInteger("vecdrop.test.verifyMaxLength", Integer.MAX_VALUE);

    @Test
    void activeKernelsMatchTheReferenceBitForBit() {
        Verifier.Report report = Verifier.activeAgainstReference().upToLength(MAX_LENGTH).run(null);
        assertTrue(report.cases() > 40_000, "too few cases ran: " + report.cases());
        assertTrue(report.operations() > report.cases() * Verifier.OPERATIONS_PER_CASE,
                "the other forms (float64, segments, per-channel) did not run: " + report.operations());
        assertTrue(report.passed(), Vectorization.implementation() + ": " + report.mismatches()
                + " mismatches; first: " + report.firstMismatch());
    }
}
