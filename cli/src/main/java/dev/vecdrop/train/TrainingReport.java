package dev.vecdrop.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes training curves: a CSV with every run's per-epoch numbers and a PNG chart of training (dashed) and
 * test (solid) error per epoch, one colour per run.
 *
 * <p>Thread-safety: stateless.
 */
public final class TrainingReport {

    private static final Color[] COLOURS = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e)};

    private TrainingReport() {}

    public static void writeCsv(Map<String, List<Trainer.Epoch>> runs, Path csv) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
            out.println("run,epoch,train_loss,train_error,test_error,test_loss,max_norm_projections_per_step,seconds");
            runs.forEach((name, epochs) -> epochs.forEach(e -> out.println(String.format(Locale.ROOT,
                    "%s,%d,%.6f,%.6f,%.6f,%.6f,%.2f,%.2f", name, e.epoch(), e.trainLoss(), e.trainError(), e.testError(),
                    e.testLoss(), e.projectedPerStep(), e.seconds()))));
        }
    }

    public static void writeChart(Map<String, List<Trainer.Epoch>> runs, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        int colour = 0;
        for (Map.Entry<String, List<Trainer.Epoch>> run : runs.entrySet()) {
            XYSeries train = new XYSeries(run.getKey() + ": train error");
            XYSeries test = new XYSeries(run.getKey() + ": test error");
            for (Trainer.Epoch e : run.getValue()) {
                train.add(e.epoch(), 100 * e.trainError());
                test.add(e.epoch(), 100 * e.testError());
            }
            Color c = COLOURS[colour++ % COLOURS.length];
            renderer.setSeriesPaint(data.getSeriesCount(), c);
            renderer.setSeriesStroke(data.getSeriesCount(), new BasicStroke(1.8f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 5f}, 0f));
            data.addSeries(train);
            renderer.setSeriesPaint(data.getSeriesCount(), c);
            renderer.setSeriesStroke(data.getSeriesCount(), new BasicStroke(2.6f));
            data.addSeries(test);
        }
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis error = new NumberAxis("classification error (%)");
        error.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, epochs, error, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 750);
    }
}
