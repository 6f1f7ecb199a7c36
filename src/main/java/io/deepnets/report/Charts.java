package io.deepnets.report;

import io.deepnets.runs.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line and bar charts as PNG files (JFreeChart, headless), sized and lettered to be legible at 100%. */
public final class Charts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 540;
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    private Charts() {
    }

    /** One series: a name and a y value per epoch (epoch = index + 1). */
    public record Series(String name, List<Double> values, boolean dashed) {
    }

    /** A vertical line at an epoch with its label (the best epoch, where training stopped). */
    public record EpochMark(int epoch, String label) {
    }

    /** Writes a chart of y against the epoch, one line per series, with markers. */
    public static void epochChart(Path file, String title, String yLabel, List<Series> series) throws IOException {
        epochChart(file, title, yLabel, series, List.of());
    }

    /** The same, with vertical lines at {@code marks}. */
    public static void epochChart(Path file, String title, String yLabel, List<Series> series, List<EpochMark> marks) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.values().size(); i++) {
                xy.add(i + 1, s.values().get(i));
            }
            data.addSeries(xy);
        }
        JFreeChart chart = org.jfree.chart.ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        style(chart);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, series.get(i).dashed()
                    ? new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 6f}, 0f)
                    : new BasicStroke(2.5f));
        }
        plot.setRenderer(renderer);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        for (EpochMark m : marks) {
            org.jfree.chart.plot.ValueMarker marker = new org.jfree.chart.plot.ValueMarker(m.epoch(), new Color(120, 120, 120),
                    new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            marker.setLabel(m.label());
            marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(marker);
        }
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        save(file, chart);
    }

    /**
     * Writes y against a numeric x (a sweep's single axis), one line per series, on a log x axis when
     * {@code logX}; points with a null value are left out.
     */
    public static void valueChart(Path file, String title, String xLabel, boolean logX, List<Double> xs, List<Series> series) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), true, true);
            for (int i = 0; i < xs.size(); i++) {
                if (xs.get(i) != null && s.values().get(i) != null && (!logX || xs.get(i) > 0)) {
                    xy.add(xs.get(i), s.values().get(i));
                }
            }
            data.addSeries(xy);
        }
        JFreeChart chart = org.jfree.chart.ChartFactory.createXYLineChart(title, xLabel, "accuracy", data, PlotOrientation.VERTICAL, true, false,
                false);
        style(chart);
        XYPlot plot = chart.getXYPlot();
        if (logX) {
            org.jfree.chart.axis.LogAxis axis = new org.jfree.chart.axis.LogAxis(xLabel);
            axis.setBase(10);
            axis.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
            plot.setDomainAxis(axis);
            fonts(axis);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2.5f));
        }
        plot.setRenderer(renderer);
        save(file, chart);
    }

    /** Writes a bar chart, one bar per label. */
    public static void barChart(Path file, String title, String yLabel, Map<String, Double> bars) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        new LinkedHashMap<>(bars).forEach((label, value) -> data.addValue(value, yLabel, label));
        JFreeChart chart = org.jfree.chart.ChartFactory.createBarChart(title, null, yLabel, data, PlotOrientation.VERTICAL,
                false, false, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setSeriesPaint(0, PALETTE[0]);
        renderer.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator("{2}",
                new java.text.DecimalFormat("0.0")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        plot.getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        save(file, chart);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        }
        var plot = chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(new Color(220, 220, 220));
            xy.setRangeGridlinePaint(new Color(220, 220, 220));
            fonts(xy.getDomainAxis());
            fonts(xy.getRangeAxis());
        } else if (plot instanceof CategoryPlot cat) {
            cat.setRangeGridlinePaint(new Color(220, 220, 220));
            fonts(cat.getRangeAxis());
            cat.getDomainAxis().setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        }
    }

    private static void fonts(org.jfree.chart.axis.Axis axis) {
        axis.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
        axis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    }

    private static void save(Path file, JFreeChart chart) throws IOException {
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }
}
