package dev.vecdrop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecdrop.MaskStream;
import dev.vecdrop.NormalStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    /** What one in-process run printed. */
    record Run(int code, String out, String err, byte[] binary) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        int code = Main.execute(args, binary, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString(), binary.toByteArray());
    }

    /** Mask words straight from the contract. */
    static long[] expectedWords(long seed, long offset, int count, double p) {
        long[] words = new long[(count + 63) / 64];
        long t = MaskStream.threshold(p);
        for (int i = 0; i < count; i++) {
            if (MaskStream.keep(seed, offset + i, t)) {
                words[i / 64] |= 1L << (i % 64);
            }
        }
        return words;
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "scalar"})
    void maskHexPrintsOneWordPerLineFromTheContract(String impl) {
        Run run = run("mask", "--seed", "0xdeadbeefcafebabe", "--offset", "5", "--count", "200", "--p", "0.3",
                "--impl", impl);
        assertEquals(0, run.code(), run.err());
        List<String> expected = new ArrayList<>();
        for (long w : expectedWords(0xdeadbeefcafebabeL, 5, 200, 0.3)) {
            expected.add(String.format("%016x", w));
        }
        assertEquals(expected, run.out().lines().toList());
    }

    @Test
    void maskRawWritesLittleEndianWords() {
        Run run = run("mask", "--seed", "-7", "--offset", "64", "--count", "70000", "--p", "0.5", "--format", "raw");
        assertEquals(0, run.code(), run.err());
        long[] expected = expectedWords(-7, 64, 70_000, 0.5);
        ByteBuffer bytes = ByteBuffer.wrap(run.binary()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(expected.length * 8, run.binary().length);
        for (long w : expected) {
            assertEquals(w, bytes.getLong());
        }
    }

    /**
     * A counted window whose output fails part way (a full disk, a reader gone) exits 1 with one line, and stops
     * there: until stop 30 text output went on to the end of the count (the writer swallowed the errors) and raw
     * output exited 0, a silently truncated file either way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mask --p 0.5 --count 100000000", "mask --p 0.5 --count 100000000 --format raw",
            "uniforms --count 100000000", "uniforms --count 100000000 --format raw", "normals --count 100000000",
            "normals --count 100000000 --format raw",
            "uniforms --offset 9223372036754775807 --count 100000000 --format raw"}) // a count ending at 2^63 - 1
    void aCountedWindowWhoseOutputFailsExitsOneAndStops(String line) {
        long[] written = {0};
        java.io.OutputStream failsAfterAMegabyte = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                written[0] += len;
                if (written[0] > 1 << 20) {
                    throw new java.io.IOException("No space left on device");
                }
            }
        };
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of(line.split(" ")));
        args.addAll(List.of("--seed", "3"));
        int code = Main.execute(args.toArray(String[]::new), failsAfterAMegabyte,
                new PrintWriter(new java.io.OutputStreamWriter(failsAfterAMegabyte), true), new PrintWriter(err));
        assertEquals(1, code, line + ": " + err);
        assertTrue(err.toString().startsWith("vecdrop: failed: ") && err.toString().contains("output failed"), err.toString());
        assertTrue(written[0] < 4 << 20, line + ": went on writing after the failure: " + written[0] + " bytes");
    }

    /** Output that fails exits 1 for every command, not only the streams (info exited 0 into a full disk, stop 32). */
    @ParameterizedTest
    @ValueSource(strings = {"info", "--version", "--help"})
    void anyCommandWhoseOutputFailsExitsOne(String line) {
        java.io.Writer full = new java.io.Writer() {
            @Override
            public void write(char[] c, int off, int len) throws java.io.IOException {
                throw new java.io.IOException("No space left on device");
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        StringWriter err = new StringWriter();
        int code = Main.execute(line.split(" "), new ByteArrayOutputStream(), new PrintWriter(full, true),
                new PrintWriter(err));
        assertEquals(1, code, line + ": " + err);
        assertTrue(err.toString().contains("output failed"), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mask --seed 1 --p 0.5 --format raw", "normals --seed 1 --format raw"})
    void endlessRawStopsQuietlyWhenTheReaderGoesAway(String line) {
        java.io.OutputStream closesAfterAMegabyte = new java.io.OutputStream() {
            long written;

            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                written += len;
                if (written > 1 << 20) {
                    throw new java.io.IOException("Broken pipe");
                }
            }
        };
        StringWriter err = new StringWriter();
        int code = Main.execute(line.split(" "), closesAfterAMegabyte, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "mask --seed 1 --p 0.5 --count 10 --bogus",
        "mask --p 0.5 --count 10",
        "mask --seed 1 --p 2 --count 10",
        "mask --seed 1 --p NaN --count 10",
        "mask --seed 1 --p 0.5 --count -1",
        "mask --seed 1 --p 0.5 --offset -3 --count 1",
        "mask --seed 1 --p 0.5",
        "mask --seed zz --p 0.5 --count 1",
        "mask --seed 1 --p 0.5 --count 1 --format png",
        "mask --seed 1 --p 0.5 --count 1 --impl gpu",
        "bench --sizes 0",
        "bench --threads 0",
        "uniforms --seed 1",
        "uniforms --seed 1 --count 5 --offset -1",
        "normals --seed 1",
        "normals --count 5",
        "normals --seed 1 --count 5 --offset -1",
        "normals --seed 1 --count -1 --format raw",
        "normals --seed 1 --offset 9223372036854775807 --count 1",
        "normals --seed 1 --count 5 --format hex",
        "normals --seed 0x1g --count 5",
        "train --data /nonexistent/fashion",
        "train --synthetic --epochs 0",
        "train --synthetic --momentum 0.5",
        "train --synthetic --drop-connect 1",
        "train --synthetic --drop-connect -0.1",
        "train --synthetic --drop-connect NaN",
        "bench --sizes ten",
        "frobnicate",
        ""
    })
    void badUsageGivesOneLineAndExitCodeTwo(String line) {
        Run run = run(line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(Main.USAGE, run.code(), "exit code for '" + line + "'; err: " + run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), "one line expected for '" + line + "': " + run.err());
        assertTrue(lines.get(0).startsWith("vecdrop: "), lines.get(0));
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    @Test
    void uniformsAreTheContractsThirtyTwoBitValues() {
        Run hex = run("uniforms", "--seed", "9", "--offset", "3", "--count", "5");
        assertEquals(0, hex.code(), hex.err());
        List<String> expected = new ArrayList<>();
        for (long e = 3; e < 8; e++) {
            expected.add(String.format("%08x", MaskStream.uniform32(9, e)));
        }
        assertEquals(expected, hex.out().lines().toList());
        Run raw = run("uniforms", "--seed", "9", "--offset", "3", "--count", "40000", "--format", "raw");
        ByteBuffer bytes = ByteBuffer.wrap(raw.binary()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(160_000, raw.binary().length);
        for (long e = 3; e < 40_003; e++) {
            assertEquals(MaskStream.uniform32(9, e), bytes.getInt());
        }
    }

    /**
     * A window that ends at the last element a call may reach ({@code 2^63 - 1} exclusive), starting within one
     * chunk of it: every streaming command and format prints the window and exits 0. The chunk loops advanced by a
     * whole chunk, overflowed there, and failed after printing (found in stop 30).
     */
    @ParameterizedTest
    @ValueSource(strings = {"mask --p 0.5 --format hex", "mask --p 0.5 --format raw", "uniforms --format hex",
            "uniforms --format raw", "normals --format text", "normals --format raw"})
    void aWindowEndingAtTheStreamsEndIsPrintedWhole(String line) {
        long count = 70;
        long offset = Long.MAX_VALUE - count;
        List<String> args = new ArrayList<>(List.of(line.split(" ")));
        args.addAll(List.of("--seed", "42", "--offset", Long.toString(offset), "--count", Long.toString(count)));
        Run run = run(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        boolean mask = line.startsWith("mask");
        long values = mask ? (count + 63) / 64 : count; // mask words, or one value an element
        if (line.endsWith("raw")) {
            assertEquals(values * (mask ? Long.BYTES : Integer.BYTES), run.binary().length);
        } else {
            assertEquals(values, run.out().lines().count());
        }
        if (line.equals("normals --format text")) {
            assertEquals(Float.toString(NormalStream.z(42, Long.MAX_VALUE - 1)), run.out().lines().toList().getLast());
        }
    }

    @Test
    void normalsTextIsFloatToStringOfTheContractsValues() {
        // An odd offset (the first value is the second of a pair) and enough values for full vector blocks.
        Run text = run("normals", "--seed", "0xfeedface", "--offset", "3", "--count", "150");
        assertEquals(0, text.code(), text.err());
        List<String> expected = new ArrayList<>();
        for (long e = 3; e < 153; e++) {
            expected.add(Float.toString(NormalStream.z(0xfeedfaceL, e)));
        }
        assertEquals(expected, text.out().lines().toList());
    }

    @Test
    void normalsRawIsLittleEndianFloat32AcrossBlocks() {
        int count = 2 * NormalsCommand.CHUNK + 7; // an odd start, two block boundaries and a partial block
        Run raw = run("normals", "--seed", "-5", "--offset", "1001", "--count", Integer.toString(count),
                "--format", "raw");
        assertEquals(0, raw.code(), raw.err());
        assertEquals(count * 4, raw.binary().length);
        ByteBuffer bytes = ByteBuffer.wrap(raw.binary()).order(ByteOrder.LITTLE_ENDIAN);
        for (long e = 1001; e < 1001 + count; e++) {
            int expected = Float.floatToRawIntBits(NormalStream.z(-5, e));
            int actual = bytes.getInt();
            if (expected != actual) { // one message, not a million assertions' worth of strings
                assertEquals(Integer.toHexString(expected), Integer.toHexString(actual), "element " + e);
            }
        }
    }

    @Test
    void trainRunsOnTheSyntheticTaskAndWritesItsCurves(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Run run = run("train", "--synthetic", "--epochs", "2", "--hidden", "32,32", "--compare", "--out", dir.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("[no dropout] epoch  2/2"), run.out());
        assertTrue(run.out().contains("[dropout + max-norm] epoch  2/2"), run.out());
        assertTrue(java.nio.file.Files.exists(dir.resolve("training.csv")));
        assertTrue(java.nio.file.Files.exists(dir.resolve("training.png")));
    }

    @Test
    void trainWithDropConnectNamesItInTheRunAndTheHelp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Run run = run("train", "--synthetic", "--epochs", "1", "--hidden", "16", "--drop-connect", "0.5",
                "--out", dir.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("[dropout + max-norm + drop-connect] epoch  1/1"), run.out());
        assertTrue(run.out().contains("drop-connect 0.5,"), run.out());
        assertTrue(run("train", "--help").out().contains("--drop-connect=P"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"info", "mask", "uniforms", "normals", "verify", "bench", "train"})
    void everyCommandHasHelp(String command) {
        Run run = run(command, "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("Usage: vecdrop " + command), run.out());
    }

    @Test
    void infoNamesTheImplementationAndWhy() {
        Run run = run("info");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("implementation  " + dev.vecdrop.Vectorization.implementation()), run.out());
        assertTrue(run.out().contains("why "), run.out());
    }

    /**
     * The command's wiring and report, on cases of at most 16 elements (every form, 6,188 cases, 1.5 s here; 130
     * took 8 s of the CLI build's critical path): the bits are the verifier's, which VectorMatchesScalarTest runs
     * in every leg of the root build.
     */
    @Test
    void verifyPassesOnThisMachine() {
        Run run = run("verify", "--max-length", "16");
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains(dev.vecdrop.Vectorization.vectorBitSize() == 0 ? "only the scalar reference"
                : " 0 mismatches"), run.out());
    }

    /**
     * Options that would fail inside a training thread, or train nothing, are rejected up front with one line and
     * exit 2. Until stop 30 an out-of-range drop probability or an oversized drop-connect layer failed with exit 1
     * after the banner, and a batch larger than the training set trained no step and exited 0 with NaN losses; until
     * stop 31 an output directory that cannot be made failed with exit 1 after the whole training, and these failed in a
     * training thread (an infinite max-norm bound, layers past Java's array limit) or trained NaNs with exit 0 (NaN,
     * negative or infinite rates, decays and momenta), or ran a comparison whose run names did not say what ran.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--dropout-hidden 1.5", "--dropout-input NaN", "--scaling ALPHA --dropout-hidden 1",
            "--hidden 4200,4200 --drop-connect 0.5", "--batch 7000", "--train-samples -5", "--train-samples 0", "--out /dev/null/train",
            "--max-norm Infinity", "--max-norm NaN", "--max-norm -1", "--rate NaN", "--rate -1", "--plain-rate Infinity",
            "--rate-decay 0", "--rate-decay NaN", "--momentum 1.5,2", "--momentum -1,0.5", "--momentum-epochs -5",
            "--scale-width --dropout-hidden 1", "--hidden 40000000", "--compare --no-dropout",
            "--compare-all --max-norm 0"})
    void trainRejectsOptionsThatCannotTrainBeforeTraining(String options) {
        List<String> args = new ArrayList<>(List.of("train", "--synthetic", "--hidden", "16", "--epochs", "1"));
        args.addAll(List.of(options.split(" ")));
        Run run = run(args.toArray(String[]::new));
        assertEquals(2, run.code(), options + ": " + run.out() + run.err());
        assertFalse(run.out().contains("epoch"), options + ": trained: " + run.out());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("vecdrop")).count(), run.err());
    }

    /** Until stop 31 a bad regex reached JMH, which ended the run with a stack trace and exit 1. */
    @Test
    void benchJmhRejectsAnIncludeThatIsNoRegexBeforeRunning() {
        Run run = run("bench", "--jmh", "--include", "(");
        assertEquals(2, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("--include is not a regular expression"), run.err());
    }

    @Test
    void verifyRejectsANegativeMaxLength() {
        Run run = run("verify", "--max-length", "-1");
        assertEquals(2, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("--max-length must be >= 0"), run.err());
    }

    @Test
    void benchPrintsARowPerKernelAndSize() {
        Run run = run("bench", "--sizes", "1000,64", "--millis", "2", "--repeats", "1", "--threads", "1");
        assertEquals(0, run.code(), run.err());
        long rows = run.out().lines().filter(l -> l.matches("\\s+(1000|64)\\s+.*")).count();
        assertEquals(14, rows, run.out()); // 7 a size: limit, scalar, 4 dropout rows, gaussian
        assertTrue(run.out().contains("x limit"), run.out());
    }

    @Test
    void benchAtPOneLeavesOutTheGaussianRows() {
        Run run = run("bench", "--sizes", "64", "--millis", "2", "--repeats", "1", "--threads", "2", "--p", "1");
        assertEquals(0, run.code(), run.err());
        List<String> rows = run.out().lines().filter(l -> l.matches("\\s+64\\s+.*")).toList();
        assertEquals(8, rows.size(), run.out()); // gaussian dropout has no p = 1 (its sigma would be infinite)
        assertTrue(rows.stream().noneMatch(r -> r.contains("gaussian")), run.out());
    }

    @Test
    void benchWithThreadsAddsTheMultiThreadedRowsAndTheirLimit() {
        Run run = run("bench", "--sizes", "300000", "--millis", "2", "--repeats", "1", "--threads", "3");
        assertEquals(0, run.code(), run.err());
        List<String> rows = run.out().lines().filter(l -> l.matches("\\s+300000\\s+.*")).toList();
        assertEquals(10, rows.size(), run.out());
        assertTrue(rows.get(6).contains("gaussian"), run.out());
        assertTrue(rows.get(7).contains("limit, 3 threads") && rows.get(7).contains(" 1.00 "), run.out());
        assertTrue(rows.get(8).contains("forward, 3 threads"), run.out());
        assertTrue(rows.get(9).contains("gaussian, 3 threads"), run.out());
    }
}
