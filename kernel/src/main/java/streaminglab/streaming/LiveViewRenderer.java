package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import streaminglab.display.Table;

import java.util.Locale;

/** A live view as HTML (a header of facts over the result table) and as text. */
final class LiveViewRenderer {
    private LiveViewRenderer() {
    }

    static DisplayData render(LiveView view) {
        Table table = view.snapshot();
        StreamingQueryProgress p = view.lastProgress();
        String batch = p == null ? "–" : String.valueOf(p.batchId());
        String in = p == null ? "–" : rate(p.inputRowsPerSecond());
        String processed = p == null ? "–" : rate(p.processedRowsPerSecond());
        Long duration = p == null ? null : p.durationMs().get("triggerExecution");
        String last = duration == null ? "–" : duration + " ms";
        long rows = view.rowsInTable();

        StringBuilder text = new StringBuilder();
        text.append(String.format("[%s] %s | batch %s | input %s rows/s | processed %s rows/s | last batch %s | %d rows in table | %s, %s",
                view.label(), view.state(), batch, in, processed, last, rows, mode(view), view.facts().sink()));
        if (view.error() != null) text.append("\nError: ").append(view.error());
        if (table != null) text.append('\n').append(table.text());

        StringBuilder html = new StringBuilder("<div class=\"lab-live-view\">");
        html.append("<div style=\"font-size:85%;margin-bottom:4px\"><b>").append(Table.escape(view.label()))
                .append("</b> ").append(badge(view.state()))
                .append(" &nbsp;batch <b>").append(batch).append("</b>")
                .append(" · input <b>").append(in).append("</b> rows/s")
                .append(" · processed <b>").append(processed).append("</b> rows/s")
                .append(" · last batch <b>").append(last).append("</b>")
                .append(" · <b>").append(rows).append("</b> rows in table")
                .append(" · <span style=\"opacity:0.7\">").append(Table.escape(mode(view))).append(", ")
                .append(Table.escape(view.facts().sink())).append(" sink, ")
                .append(Table.escape(view.facts().trigger())).append(" trigger</span></div>");
        if (view.error() != null) {
            html.append("<div style=\"color:#b71c1c;font-size:90%;margin:4px 0\"><b>Error:</b> ")
                    .append(Table.escape(view.error())).append("</div>");
        }
        if (table != null) {
            html.append(table.html());
        } else if (p == null && view.state() == LiveView.State.ACTIVE) {
            html.append("<div style=\"opacity:0.6;font-size:85%\">waiting for the first micro-batch…</div>");
        }
        html.append("</div>");

        DisplayData data = new DisplayData(text.toString());
        data.putHTML(html.toString());
        return data;
    }

    private static String mode(LiveView view) {
        String m = view.facts().outputMode().toLowerCase(Locale.ROOT);
        return m + " mode";
    }

    private static String badge(LiveView.State state) {
        String color = switch (state) {
            case ACTIVE -> "#2e7d32";
            case STOPPED -> "#616161";
            case FAILED -> "#b71c1c";
        };
        return "<span style=\"background:" + color + ";color:white;padding:1px 6px;border-radius:3px;font-size:85%\">"
                + state + "</span>";
    }

    private static String rate(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return "0";
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
