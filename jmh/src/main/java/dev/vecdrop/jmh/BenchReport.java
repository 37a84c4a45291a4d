package dev.vecdrop.jmh;

import dev.vecdrop.kernel.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the JMH suite (or a subset) with a one-line progress display, then writes what people read: a table
 * of Gelem/s, GB/s, ratio to the limit kernel and to the scalar reference for each ISA, latency percentiles,
 * allocation per call, a chart, the JMH JSON and JMH's full log. Started by {@code ./vecdrop bench --jmh};
 * its arguments are that command's, already checked:
 * {@code OUT_DIR INCLUDE_REGEX SIZES(comma-separated) QUICK(true|false)}.
 */
public final class BenchReport {

    /** Bytes each kernel reads and writes per element (4 read + 4 written, plus 1/8 for a mask bit). */
    static final Map<String, Double> BYTES_PER_ELEMENT = Map.of(
            "forwardWithMask", 8.125, "backwardFromBits", 8.125, "maskOnly", 0.125);

    private BenchReport() {}

    public static void main(String[] args) throws IOException, RunnerException {
        if (args.length != 4) {
            System.err.println("usage: BenchReport OUT_DIR INCLUDE_REGEX SIZES QUICK (run it through ./vecdrop bench --jmh)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        for (String old : List.of("report.md", "throughput.png", "jmh.json")) { // no stale report beside a new log
            Files.deleteIfExists(out.resolve(old));
        }
        boolean quick = Boolean.parseBoolean(args[3]);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(args[1])
                .param("n", args[2].split(","))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(false) // a failing cell is logged and left out; the others still report
                .result(out.resolve("jmh.json").toString())
                .resultFormat(ResultFormatType.JSON);
        if (quick) {
            options.warmupIterations(2).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> results;
        try (OutputStream log = Files.newOutputStream(out.resolve("jmh.log"));
             PrintStream progress = new PrintStream(new ProgressFilter(log, System.err), true, StandardCharsets.UTF_8)) {
            results = new Runner(options.build(), OutputFormatFactory.createFormatInstance(progress, VerboseMode.NORMAL)).run();
        } catch (RunnerException e) { // "No benchmarks to run" for an include that matches nothing, among others
            System.err.println("\r\033[Kvecdrop bench --jmh: " + e.toString().lines().findFirst().orElse("") + " (see "
                    + out.resolve("jmh.log") + ")");
            System.exit(2);
            return;
        }
        System.err.print("\r\033[K");
        // JMH marks a failed cell's iteration "<failure>" and goes on with the next cell.
        long failed = Files.readAllLines(out.resolve("jmh.log")).stream().filter(l -> l.endsWith(": <failure>")).count();
        if (results.isEmpty()) {
            System.err.println("vecdrop bench --jmh: no benchmark finished (" + failed + " failed; see "
                    + out.resolve("jmh.log") + ")");
            System.exit(1);
        }
        Report report = Report.of(results);
        String header = header(report);
        String tables = report.markdownTables();
        System.out.println(header);
        System.out.println(tables);
        Files.writeString(out.resolve("report.md"), header + "\n" + tables + "\n![throughput](throughput.png)\n");
        ThroughputChart.write(report, out.resolve("throughput.png"));
        System.out.println("Wrote " + out.resolve("report.md") + ", throughput.png, jmh.json and jmh.log");
        if (failed > 0) {
            System.err.println("vecdrop bench --jmh: " + failed + " benchmark cells failed and are not in the report"
                    + " (see " + out.resolve("jmh.log") + ")");
            System.exit(1);
        }
    }

    private static String header(Report report) {
        StringBuilder s = new StringBuilder();
        s.append("# vecdrop JMH report\n\n");
        s.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        s.append("- CPU: ").append(Platform.cpuModel()).append(" [").append(Platform.simdFlags()).append("]\n");
        s.append("- JDK: ").append(Platform.jdk()).append('\n');
        report.jvmArgs().forEach((isa, flags) -> s.append("- ").append(isa).append(" JVM flags: `").append(flags).append("`\n"));
        s.append("- single thread, p = 0.5, inverted; Gelem/s = elements per ns; GB/s counts bytes read + written; ")
                .append("x limit = over `limitScale` (the same kernels' y = x * c) under the same ISA flags (JMH forks each benchmark and size); ")
                .append("x scalar = over `scalarReferenceForward`; alloc = `gc.alloc.rate.norm`.\n");
        return s.toString();
    }

    /** Keeps JMH's full output in a log and shows one rewriting line of progress. */
    private static final class ProgressFilter extends OutputStream {
        private final OutputStream log;
        private final PrintStream status;
        private final StringBuilder line = new StringBuilder();
        private String benchmark = "";
        private String parameters = "";

        ProgressFilter(OutputStream log, PrintStream status) {
            this.log = log;
            this.status = status;
        }

        @Override
        public void write(int b) throws IOException {
            log.write(b);
            if (b == '\n') {
                lineDone(line.toString());
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }

        private void lineDone(String text) {
            if (text.startsWith("# Benchmark: ")) {
                benchmark = text.substring("# Benchmark: dev.vecdrop.jmh.".length());
            } else if (text.startsWith("# Parameters: ")) {
                parameters = text.substring("# Parameters: ".length());
            } else if (text.startsWith("# Run progress: ")) {
                status.print("\r\033[K" + text.substring(2, text.indexOf(" complete")) + "  " + benchmark + " " + parameters);
                status.flush();
            }
        }

        @Override
        public void flush() throws IOException {
            log.flush();
        }
    }

    /** The results, arranged by ISA, kernel and size. */
    record Report(Map<String, Map<String, Map<Integer, RunResult>>> throughput, List<RunResult> latency,
                  List<RunResult> others) {

        static Report of(Collection<RunResult> results) {
            Map<String, Map<String, Map<Integer, RunResult>>> throughput = new TreeMap<>();
            List<RunResult> latency = new ArrayList<>();
            List<RunResult> others = new ArrayList<>();
            for (RunResult r : results) {
                String name = r.getParams().getBenchmark().substring("dev.vecdrop.jmh.".length());
                String[] parts = name.split("\\."); // Isa.<Isa>.<kernel>
                if (name.startsWith("Latency.")) {
                    latency.add(r);
                } else if (parts.length == 3 && parts[0].equals("Isa") && r.getParams().getParam("n") != null) {
                    throughput.computeIfAbsent(parts[1], k -> new TreeMap<>())
                            .computeIfAbsent(parts[2], k -> new TreeMap<>())
                            .put(Integer.parseInt(r.getParams().getParam("n")), r);
                } else { // --include reaches every benchmark class: listed as JMH scores them
                    others.add(r);
                }
            }
            return new Report(throughput, latency, others);
        }

        Map<String, String> jvmArgs() {
            Map<String, String> args = new TreeMap<>();
            throughput.forEach((isa, kernels) -> kernels.values().stream().flatMap(m -> m.values().stream()).findFirst()
                    .ifPresent(r -> args.put(isa, String.join(" ", new java.util.LinkedHashSet<>(r.getParams().getJvmArgs())))));
            return args;
        }

        /** Elements per nanosecond: calls per second times n. */
        static double gelems(RunResult r) {
            return r.getPrimaryResult().getScore() * Integer.parseInt(r.getParams().getParam("n")) / 1e9;
        }

        static double allocPerCall(RunResult r) {
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            return alloc == null ? Double.NaN : alloc.getScore();
        }

        String markdownTables() {
            StringBuilder s = new StringBuilder();
            throughput.forEach((isa, kernels) -> {
                s.append("\n## ").append(isa).append("\n\n");
                s.append("| kernel | n | Gelem/s | ± | GB/s | x limit | x scalar | alloc B/call |\n");
                s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
                Map<Integer, RunResult> limit = kernels.getOrDefault("limitScale", Map.of());
                Map<Integer, RunResult> scalar = kernels.getOrDefault("scalarReferenceForward", Map.of());
                kernels.entrySet().stream().sorted(Comparator.comparing(e -> KernelOrder.rank(e.getKey())))
                        .forEach(e -> e.getValue().forEach((n, r) -> {
                            double g = gelems(r);
                            double err = r.getPrimaryResult().getScoreError() * n / 1e9;
                            s.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.1f | %s | %s | %.2f |%n",
                                    e.getKey(), n, g, err, g * BYTES_PER_ELEMENT.getOrDefault(e.getKey(), 8.0),
                                    ratio(g, limit.get(n)), ratio(g, scalar.get(n)), allocPerCall(r)));
                        }));
            });
            if (!latency.isEmpty()) {
                s.append("\n## Latency (SampleTime, ns per call)\n\n| kernel | n | p50 | p90 | p99 | p99.9 | max |\n");
                s.append("|---|---:|---:|---:|---:|---:|---:|\n");
                for (RunResult r : latency) {
                    var stats = r.getPrimaryResult().getStatistics();
                    s.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
                            r.getParams().getBenchmark().replace("dev.vecdrop.jmh.Latency.", ""),
                            r.getParams().getParam("n"), stats.getPercentile(50), stats.getPercentile(90),
                            stats.getPercentile(99), stats.getPercentile(99.9), stats.getMax()));
                }
            }
            if (!others.isEmpty()) {
                s.append("\n## Other benchmarks (as JMH scores them)\n\n| benchmark | parameters | score | ± | unit |\n");
                s.append("|---|---|---:|---:|---|\n");
                for (RunResult r : others) {
                    var params = r.getParams();
                    String values = params.getParamsKeys().stream().map(k -> k + "=" + params.getParam(k))
                            .collect(java.util.stream.Collectors.joining(", "));
                    s.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %s |%n",
                            params.getBenchmark().replace("dev.vecdrop.jmh.", ""), values,
                            r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                            r.getPrimaryResult().getScoreUnit()));
                }
            }
            return s.toString();
        }

        private static String ratio(double gelems, RunResult base) {
            return base == null ? "" : String.format(Locale.ROOT, "%.2f", gelems / gelems(base));
        }
    }

    /** Rows in reading order: limits, then vecdrop's kernels, then the baselines. */
    enum KernelOrder {
        limitScale, limitArraycopy, forward, forwardWithMask, backwardFromBits, backwardRegenerate, maskOnly,
        scalarReferenceForward, jdkSplittableRandomForward, jdkThreadLocalRandomForward;

        static int rank(String kernel) {
            for (KernelOrder k : values()) {
                if (k.name().equals(kernel)) {
                    return k.ordinal();
                }
            }
            return values().length;
        }
    }

}
