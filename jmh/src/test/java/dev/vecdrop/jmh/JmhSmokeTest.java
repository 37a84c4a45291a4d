package dev.vecdrop.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Seconds-long: the suite is generated and runs, and the report and chart are written from real results.
 * Not a speed test; no score is judged.
 */
class JmhSmokeTest {

    @Test
    void benchmarksRunAndTheReportIsWritten(@TempDir Path dir) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("Isa.Preferred.(forward|limitScale|scalarReferenceForward)$")
                .param("n", "1024")
                .forks(0)
                .warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(1).measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build()).run();
        assertEquals(3, results.size());
        BenchReport.Report report = BenchReport.Report.of(results);
        String tables = report.markdownTables();
        assertTrue(tables.contains("| forward | 1024 |"), tables);
        assertTrue(tables.contains("| limitScale | 1024 |"), tables);
        Path png = dir.resolve("chart.png");
        ThroughputChart.write(report, png);
        assertTrue(Files.size(png) > 10_000, "chart too small: " + Files.size(png));
    }

    @Test
    void theInterleavedNormalTimingRunsAndPrintsItsRatios() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            NormalStreamTiming.main(new String[] {"3", "64"});
        } finally {
            System.setOut(out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("3 rounds, 64 values a call"), printed);
        assertTrue(printed.matches("(?s).*\\n  nextGaussian +[0-9.]+x \\[.*\\n  scalar reference +[0-9.]+x \\[.*"), printed);
    }
}
