package dev.vecdrop.jmh;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import java.text.DecimalFormat;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.openjdk.jmh.results.RunResult;

/**
 * Throughput against size, one line per kernel and ISA: colour is the kernel, dash pattern the ISA.
 *
 * <p>Thread-safety: stateless.
 */
final class ThroughputChart {

    /** The kernels drawn, with their colours. */
    private static final Map<String, Color> KERNELS = Map.of(
            "limitScale", Color.BLACK,
            "forward", new Color(0x1f77b4),
            "forwardWithMask", new Color(0x2ca02c),
            "backwardFromBits", new Color(0xff7f0e),
            "backwardRegenerate", new Color(0x9467bd),
            "scalarReferenceForward", new Color(0x8c564b),
            "jdkSplittableRandomForward", new Color(0xd62728));
    private static final List<String> ISAS = List.of("Preferred", "Forced256", "Avx2");

    private ThroughputChart() {}

    static void write(BenchReport.Report report, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        report.throughput().forEach((isa, kernels) -> kernels.forEach((kernel, bySize) -> {
            Color color = KERNELS.get(kernel);
            if (color == null) {
                return;
            }
            XYSeries series = new XYSeries(kernel + " (" + isa + ")");
            for (Map.Entry<Integer, RunResult> e : bySize.entrySet()) {
                series.add(e.getKey().doubleValue(), BenchReport.Report.gelems(e.getValue()));
            }
            int index = data.getSeriesCount();
            data.addSeries(series);
            renderer.setSeriesPaint(index, color);
            renderer.setSeriesStroke(index, stroke(isa));
        }));
        LogAxis sizes = new LogAxis("n (floats, log scale)");
        sizes.setBase(2);
        sizes.setTickUnit(new NumberTickUnit(2)); // a tick every 4x
        sizes.setNumberFormatOverride(new DecimalFormat("#,##0"));
        sizes.setSmallestValue(512);
        LogAxis throughput = new LogAxis("Gelem/s (elements per ns, log scale)");
        throughput.setTickUnit(new NumberTickUnit(1)); // a labelled tick every decade, minor ticks between
        throughput.setMinorTickCount(9);
        throughput.setMinorTickMarksVisible(true);
        throughput.setNumberFormatOverride(new DecimalFormat("0.###"));
        throughput.setRange(0.05, 50); // fixed, so charts from different runs compare at a glance
        XYPlot plot = new XYPlot(data, sizes, throughput, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("vecdrop dropout throughput (solid: preferred width, dashed: forced 256-bit, dotted: -XX:UseAVX=2)",
                new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 900);
    }

    private static BasicStroke stroke(String isa) {
        return switch (ISAS.indexOf(isa)) {
            case 1 -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {10f, 6f}, 0f);
            case 2 -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {2f, 4f}, 0f);
            default -> new BasicStroke(2.5f);
        };
    }
}
