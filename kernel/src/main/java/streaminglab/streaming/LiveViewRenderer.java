package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import streaminglab.display.Table;
import streaminglab.language.Messages;

import java.util.List;
import java.util.Locale;

/** A live view as HTML (a header of facts over the result table) and as text. */
final class LiveViewRenderer {
    private LiveViewRenderer() {
    }

    static DisplayData render(LiveView view) {
        Table table = view.snapshot();
        Facts f = view.facts().continuous() ? continuous(view) : microBatch(view);
        long rows = view.rowsInTable();

        StringBuilder text = new StringBuilder();
        String perSecond = Messages.text("liveview.rows_per_second");
        text.append(String.format("[%s] %s | %s %s | %s %s %s | %s %s %s | %s %s | %d %s | %s, %s",
                view.label(), state(view.state()), f.unit, f.number, Messages.text("liveview.input"), f.input, perSecond,
                f.secondRateName, f.secondRate, perSecond, f.durationName, f.duration, rows, rowsMeaning(view), mode(view),
                view.facts().sink()));
        if (view.error() != null) text.append('\n').append(Messages.text("liveview.error")).append(' ').append(view.error());
        if (view.warning() != null) text.append('\n').append(view.warning());
        if (table != null) text.append('\n').append(table.text());

        StringBuilder html = new StringBuilder("<div class=\"lab-live-view\">");
        html.append("<div style=\"font-size:85%;margin-bottom:4px\"><b>").append(Table.escape(view.label()))
                .append("</b> ").append(badge(view.state()))
                .append(" &nbsp;").append(f.unit).append(" <b>").append(f.number).append("</b>")
                .append(" · ").append(Messages.text("liveview.input")).append(" <b>").append(f.input).append("</b> ").append(perSecond)
                .append(" · ").append(f.secondRateName).append(" <b>").append(f.secondRate).append("</b> ").append(perSecond)
                .append(" · ").append(f.durationName).append(" <b>").append(f.duration).append("</b>")
                .append(" · <b>").append(rows).append("</b> ").append(rowsMeaning(view))
                .append(" · <span style=\"opacity:0.7\">").append(Table.escape(mode(view))).append(", ")
                .append(Table.escape(Messages.text("liveview.sink", view.facts().sink()))).append(", ")
                .append(Table.escape(Messages.text("liveview.trigger", view.facts().trigger()))).append("</span></div>");
        if (view.error() != null) {
            html.append("<div style=\"color:#b71c1c;font-size:90%;margin:4px 0\"><b>").append(Messages.text("liveview.error")).append("</b> ")
                    .append(Table.escape(view.error())).append("</div>");
        }
        if (view.warning() != null) {
            html.append("<div style=\"color:#e65100;font-size:90%;margin:4px 0\">").append(Table.escape(view.warning())).append("</div>");
        }
        if (table != null) {
            html.append(table.html());
        } else if (f.nothingYet && view.state() == LiveView.State.ACTIVE) {
            html.append("<div style=\"opacity:0.6;font-size:85%\">")
                    .append(Messages.text(view.facts().continuous() ? "liveview.waiting_for_epoch" : "liveview.waiting_for_batch"))
                    .append("</div>");
        }
        html.append("</div>");

        DisplayData data = new DisplayData(text.toString());
        data.putHTML(html.toString());
        return data;
    }

    /**
     * The view's table as it is now, under one line that says which batch it is as of: what %stream show --snapshot
     * shows, once, with no display id (nothing updates it).
     */
    static DisplayData snapshot(LiveView view) {
        LiveView.Frozen frozen = view.frozen();
        Table table = frozen.table();
        String note = Messages.text("stream.snapshot.note");
        String rows = view.rowsInTable() + " " + rowsMeaning(view);

        StringBuilder text = new StringBuilder("[").append(asOf(view, frozen.batch(), view.label(), String.valueOf(frozen.batch())))
                .append("] ").append(rows).append(" (").append(note).append(')');
        StringBuilder html = new StringBuilder("<div class=\"lab-snapshot\">");
        html.append("<div style=\"font-size:85%;margin-bottom:4px\">")
                .append(asOf(view, frozen.batch(), "<b>" + Table.escape(view.label()) + "</b>", "<b>" + frozen.batch() + "</b>"))
                .append(" · <b>").append(view.rowsInTable()).append("</b> ").append(rowsMeaning(view))
                .append(" · <span style=\"opacity:0.7\">").append(Table.escape(note)).append("</span></div>");
        if (table != null) {
            text.append('\n').append(table.text());
            html.append(table.html());
        } else {
            String none = Messages.text("stream.snapshot.no_table", view.facts().sink());
            text.append('\n').append(none);
            html.append("<div style=\"opacity:0.6;font-size:85%\">").append(Table.escape(none)).append("</div>");
        }
        html.append("</div>");
        DisplayData data = new DisplayData(text.toString());
        data.putHTML(html.toString());
        return data;
    }

    /** "NAME as of batch N" (or epoch N, or before the first micro-batch), with the name and number as given. */
    private static String asOf(LiveView view, long batch, String name, String number) {
        if (batch < 0) return Messages.text("stream.snapshot.before_first", name);
        return Messages.text(view.facts().continuous() ? "stream.snapshot.as_of_epoch" : "stream.snapshot.as_of_batch", name, number);
    }

    /** The header's numbers, for a micro-batch query or a continuous one. */
    private record Facts(String unit, String number, String input, String secondRateName, String secondRate,
                         String durationName, String duration, boolean nothingYet) {
    }

    private static Facts microBatch(LiveView view) {
        StreamingQueryProgress p = view.lastProgress();
        String batch = Messages.text("liveview.batch");
        String processed = Messages.text("liveview.processed");
        String lastBatch = Messages.text("liveview.last_batch");
        if (p == null) return new Facts(batch, "–", "–", processed, "–", lastBatch, "–", true);
        Long duration = p.durationMs().get("triggerExecution");
        return new Facts(batch, String.valueOf(p.batchId()), rate(p.inputRowsPerSecond()), processed,
                rate(p.processedRowsPerSecond()), lastBatch, duration == null ? "–" : duration + " ms", false);
    }

    /** Continuous: the latest epoch, rows/s over the recent epochs (when the sink tells rows), time between epochs. */
    private static Facts continuous(LiveView view) {
        List<LiveView.Epoch> epochs = view.recentEpochs();
        String epoch = Messages.text("liveview.epoch");
        String written = Messages.text("liveview.written");
        String epochEvery = Messages.text("liveview.epoch_every");
        if (epochs.isEmpty()) return new Facts(epoch, "–", "–", written, "–", epochEvery, "–", true);
        LiveView.Epoch last = epochs.get(epochs.size() - 1);
        List<LiveView.Epoch> recent = epochs.subList(Math.max(0, epochs.size() - 6), epochs.size());
        String every = "–";
        String rowsPerSecond = "–";
        if (recent.size() >= 2) {
            long span = recent.get(recent.size() - 1).committedAt() - recent.get(0).committedAt();
            every = Math.round(span / (double) (recent.size() - 1)) + " ms";
            long rows = 0;
            boolean known = true;
            for (LiveView.Epoch e : recent.subList(1, recent.size())) {
                if (e.rows() < 0) known = false;
                rows += Math.max(0, e.rows());
            }
            if (known && span > 0) rowsPerSecond = rate(rows * 1000.0 / span);
        }
        // a continuous source's input rate is not reported by Spark; what reached the sink is the honest number
        return new Facts(epoch, String.valueOf(last.id()), "–", written, rowsPerSecond, epochEvery, every, false);
    }

    /** What the header's row count means: the whole result (complete mode) or a running total. */
    static String rowsMeaning(LiveView view) {
        if (!view.facts().showsRows()) return Messages.text("liveview.input_rows_so_far");
        return Messages.text(view.facts().wholeTable() ? "liveview.rows_in_table" : "liveview.rows_so_far");
    }

    private static String mode(LiveView view) {
        String m = view.facts().outputMode().toLowerCase(Locale.ROOT);
        return Messages.text("liveview.mode", m);
    }

    private static String badge(LiveView.State state) {
        String color = switch (state) {
            case ACTIVE -> "#2e7d32";
            case STOPPED -> "#616161";
            case FAILED -> "#b71c1c";
        };
        return "<span style=\"background:" + color + ";color:white;padding:1px 6px;border-radius:3px;font-size:85%\">"
                + state(state) + "</span>";
    }

    /** A query's state as the header says it (ACTIVE, STOPPED, FAILED in English). */
    static String state(LiveView.State state) {
        return Messages.text("liveview.state." + state.name().toLowerCase(Locale.ROOT));
    }

    static String rate(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return "0";
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
