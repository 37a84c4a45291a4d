package dev.vecdrop.jmh;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The warm-up story, measured: for each operation and ISA, fresh JVMs run {@link WarmUpCurve} cold and after
 * {@code WarmUp.run()}; this writes the per-call CSVs, a markdown summary (calls and milliseconds until steady
 * state, bytes allocated on the way, first-request latency against the steady p50) and a chart.
 *
 * <p>Args: {@code OUT_DIR [CALLS]}. Run: {@code java -cp jmh/target/benchmarks.jar dev.vecdrop.jmh.WarmUpReport target/warmup}.
 */
public final class WarmUpReport {

    private static final List<String> OPS = List.of("forward", "backwardFromBits", "backwardRegenerate");

    /** One fresh JVM's curve. */
    record Curve(String op, String isa, String mode, String warmUp, long[] nanos, long[] bytes) {

        /** Median of the last 10% of calls: the steady state. */
        long steadyP50() {
            long[] tail = Arrays.copyOfRange(nanos, nanos.length - nanos.length / 10, nanos.length);
            Arrays.sort(tail);
            return tail[tail.length / 2];
        }

        /**
         * The first call from which every call allocates nothing and the median of each later window of 20 calls
         * is within 1.5x of the steady p50 (1-based; calls + 1 if never).
         */
        int steadyFrom() {
            long p50 = steadyP50();
            int from = nanos.length + 1;
            for (int c = nanos.length - 1; c >= 0; c--) {
                if (bytes[c] != 0) {
                    break;
                }
                int end = Math.min(nanos.length, c + 20);
                long[] window = Arrays.copyOfRange(nanos, c, end);
                Arrays.sort(window);
                if (window[window.length / 2] > 1.5 * p50) {
                    break;
                }
                from = c + 1;
            }
            return from;
        }

        double millisBefore(int call) {
            long sum = 0;
            for (int c = 0; c < call - 1 && c < nanos.length; c++) {
                sum += nanos[c];
            }
            return sum / 1e6;
        }

        long bytesBefore(int call) {
            long sum = 0;
            for (int c = 0; c < call - 1 && c < bytes.length; c++) {
                sum += bytes[c];
            }
            return sum;
        }
    }

    private WarmUpReport() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/warmup");
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        Files.createDirectories(out);
        List<Curve> curves = new ArrayList<>();
        String[][] isas = {{"preferred"}, {"avx2", "-XX:UseAVX=2"}};
        for (String[] isa : isas) {
            for (String op : OPS) {
                for (String mode : List.of("cold", "warm")) {
                    System.err.printf("\r\033[K%s %s %s ...", isa[0], op, mode);
                    Curve curve = run(op, isa, mode, calls);
                    curves.add(curve);
                    writeCsv(out.resolve("warmup-" + isa[0] + "-" + op + "-" + mode + ".csv"), curve);
                }
            }
        }
        System.err.print("\r\033[K");
        String summary = summary(curves);
        System.out.print(summary);
        Files.writeString(out.resolve("warmup.md"), summary + "\n![warm-up](warmup.png)\n");
        chart(curves, out.resolve("warmup.png"));
        System.out.println("Wrote " + out.resolve("warmup.md") + ", warmup.png and the per-call CSVs");
    }

    private static Curve run(String op, String[] isa, String mode, int calls) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        command.addAll(Arrays.asList(isa).subList(1, isa.length));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WarmUpCurve.class.getName(), op, mode,
                String.valueOf(calls)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(process.getInputStream().readAllBytes()).lines().toList();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
        String warmUp = lines.get(0);
        long[] nanos = new long[calls];
        long[] bytes = new long[calls];
        for (int c = 0; c < calls; c++) {
            String[] f = lines.get(c + 1).split(",");
            nanos[c] = Long.parseLong(f[1]);
            bytes[c] = Long.parseLong(f[2]);
        }
        return new Curve(op, isa[0], mode, warmUp, nanos, bytes);
    }

    private static void writeCsv(Path file, Curve curve) throws IOException {
        StringBuilder csv = new StringBuilder("call,nanos,bytes\n");
        for (int c = 0; c < curve.nanos().length; c++) {
            csv.append(c + 1).append(',').append(curve.nanos()[c]).append(',').append(curve.bytes()[c]).append('\n');
        }
        Files.writeString(file, csv);
    }

    static String summary(List<Curve> curves) {
        StringBuilder md = new StringBuilder();
        md.append("| ISA | operation | start | first call | first-call bytes | steady p50 | first / p50 | ")
                .append("steady from call | ms until then | bytes until then | warm-up |\n")
                .append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Curve c : curves) {
            int from = c.steadyFrom();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f us | %,d | %.2f us | %.1fx | %s | %.1f | %,d | %s |%n",
                    c.isa(), c.op(), c.mode(), c.nanos()[0] / 1e3, c.bytes()[0], c.steadyP50() / 1e3,
                    c.nanos()[0] / (double) c.steadyP50(), from > c.nanos().length ? "never" : String.valueOf(from),
                    c.millisBefore(from), c.bytesBefore(from), c.warmUp()));
        }
        return md.toString();
    }

    /** Time per call against call number, both log scale: solid cold, dashed after WarmUp.run(). */
    private static void chart(List<Curve> curves, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};
        for (Curve c : curves) {
            XYSeries series = new XYSeries(c.isa() + " " + c.op() + " " + c.mode());
            for (int i = 0; i < c.nanos().length; i++) {
                series.add(i + 1, Math.max(c.nanos()[i], 100) / 1e3);
            }
            int index = data.getSeriesCount();
            data.addSeries(series);
            Color color = colors[OPS.indexOf(c.op())];
            renderer.setSeriesPaint(index, c.isa().equals("avx2") ? color.darker().darker() : color);
            renderer.setSeriesStroke(index, c.mode().equals("cold") ? new BasicStroke(1.2f)
                    : new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        }
        LogAxis callAxis = new LogAxis("call number (log scale)");
        callAxis.setSmallestValue(1);
        callAxis.setTickUnit(new NumberTickUnit(1)); // a labelled tick every decade
        callAxis.setNumberFormatOverride(new DecimalFormat("#,##0"));
        LogAxis timeAxis = new LogAxis("microseconds per call (log scale)");
        timeAxis.setTickUnit(new NumberTickUnit(1));
        timeAxis.setMinorTickCount(9);
        timeAxis.setMinorTickMarksVisible(true);
        timeAxis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        XYPlot plot = new XYPlot(data, callAxis, timeAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("First calls of a 16K-float dropout in a fresh JVM (solid: cold, dashed: after WarmUp.run(); darker: -XX:UseAVX=2)",
                new Font(Font.SANS_SERIF, Font.BOLD, 13), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 850);
    }
}
