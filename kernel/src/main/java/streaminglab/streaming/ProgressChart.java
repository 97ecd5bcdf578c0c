package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code %stream progress}: the recent micro-batches as a table and an SVG chart of input vs processing rate. */
final class ProgressChart {
    private static final int WIDTH = 520;
    private static final int HEIGHT = 160;
    private static final int TABLE_ROWS = 10;

    private ProgressChart() {
    }

    static DisplayData render(LiveView view) {
        if (view.facts().continuous()) return epochs(view);
        List<StreamingQueryProgress> all = view.recentProgress();
        if (all.isEmpty()) return new DisplayData(Messages.text("progress.no_batch_yet", view.label()));
        List<String> header = List.of(Messages.text("progress.column.batch"), Messages.text("progress.column.time"),
                Messages.text("progress.column.input_rows"), Messages.text("progress.column.input_rate"),
                Messages.text("progress.column.processed_rate"), Messages.text("progress.column.duration"));
        List<List<String>> rows = new ArrayList<>();
        for (StreamingQueryProgress p : all.subList(Math.max(0, all.size() - TABLE_ROWS), all.size())) {
            Long ms = p.durationMs().get("triggerExecution");
            rows.add(List.of(String.valueOf(p.batchId()), p.timestamp(), String.valueOf(p.numInputRows()),
                    fmt(p.inputRowsPerSecond()), fmt(p.processedRowsPerSecond()), ms == null ? "" : ms.toString()));
        }
        DisplayData table = StreamMagic.SimpleTable.of(header, rows);
        DisplayData data = new DisplayData(Messages.text("progress.recent", view.label(), all.size()) + "\n"
                + table.getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN));
        data.putHTML("<div><b>" + streaminglab.display.Table.escape(view.label()) + "</b>: " + streaminglab.display.Table.escape(Messages.text("progress.chart_title", all.size()))
                + "<br>" + svg(all) + "</div>"
                + table.getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_HTML));
        return data;
    }

    /** Continuous queries have no micro-batch progress: their recent epochs as the lab saw them committed. */
    private static DisplayData epochs(LiveView view) {
        List<LiveView.Epoch> all = view.recentEpochs();
        if (all.isEmpty()) return new DisplayData(Messages.text("progress.no_epoch_yet", view.label()));
        List<String> header = List.of(Messages.text("progress.column.epoch"), Messages.text("progress.column.committed_at"),
                Messages.text("progress.column.rows_written"), Messages.text("progress.column.since_previous"));
        List<List<String>> rows = new ArrayList<>();
        int from = Math.max(0, all.size() - TABLE_ROWS);
        for (int i = from; i < all.size(); i++) {
            LiveView.Epoch e = all.get(i);
            String gap = i == 0 ? "" : String.valueOf(e.committedAt() - all.get(i - 1).committedAt());
            rows.add(List.of(String.valueOf(e.id()), java.time.Instant.ofEpochMilli(e.committedAt()).toString(),
                    e.rows() < 0 ? Messages.text("progress.rows_not_told") : String.valueOf(e.rows()), gap));
        }
        DisplayData table = StreamMagic.SimpleTable.of(header, rows);
        String note = Messages.text("progress.continuous", view.label(), rows.size(), all.size());
        DisplayData data = new DisplayData(note + "\n"
                + table.getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN));
        data.putHTML("<div>" + streaminglab.display.Table.escape(note) + "</div>"
                + table.getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_HTML));
        return data;
    }

    static String svg(List<StreamingQueryProgress> progress) {
        double max = 1;
        for (StreamingQueryProgress p : progress) {
            max = Math.max(max, Math.max(safe(p.inputRowsPerSecond()), safe(p.processedRowsPerSecond())));
        }
        int left = 50, bottom = HEIGHT - 20, top = 10, right = WIDTH - 10;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" style=\"font:10px sans-serif\">");
        svg.append("<line x1=\"").append(left).append("\" y1=\"").append(bottom).append("\" x2=\"").append(right)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"#999\"/>");
        svg.append("<text x=\"2\" y=\"").append(top + 8).append("\">").append(fmt(max)).append("/s</text>");
        svg.append("<text x=\"2\" y=\"").append(bottom).append("\">0</text>");
        svg.append(line(progress, true, max, left, right, top, bottom, "#1565c0"));
        svg.append(line(progress, false, max, left, right, top, bottom, "#ef6c00"));
        svg.append("<text x=\"").append(left).append("\" y=\"").append(HEIGHT - 4)
                .append("\" fill=\"#1565c0\">").append(Messages.text("progress.chart.input")).append("</text>");
        svg.append("<text x=\"").append(left + 110).append("\" y=\"").append(HEIGHT - 4)
                .append("\" fill=\"#ef6c00\">").append(Messages.text("progress.chart.processed")).append("</text>");
        svg.append("<text x=\"").append(right - 90).append("\" y=\"").append(HEIGHT - 4).append("\">")
                .append(Messages.text("progress.chart.batches", progress.get(0).batchId(), progress.get(progress.size() - 1).batchId()))
                .append("</text></svg>");
        return svg.toString();
    }

    private static String line(List<StreamingQueryProgress> progress, boolean input, double max,
                               int left, int right, int top, int bottom, String color) {
        StringBuilder points = new StringBuilder();
        int n = progress.size();
        for (int i = 0; i < n; i++) {
            StreamingQueryProgress p = progress.get(i);
            double v = safe(input ? p.inputRowsPerSecond() : p.processedRowsPerSecond());
            double x = n == 1 ? left : left + (double) (right - left) * i / (n - 1);
            double y = bottom - (bottom - top) * v / max;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\"" + points.toString().trim() + "\"/>";
    }

    private static double safe(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
    }

    private static String fmt(double v) {
        v = safe(v);
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
