package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import streaminglab.display.Displays;
import streaminglab.display.Html;
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

        String header = Html.header(Html.line().bold(view.label()).text(" ").badge(state(view.state()), tone(view.state()))
                .text(" \u00a0" + f.unit + " ").bold(f.number)
                .text(" · " + Messages.text("liveview.input") + " ").bold(f.input).text(" " + perSecond)
                .text(" · " + f.secondRateName + " ").bold(f.secondRate).text(" " + perSecond)
                .text(" · " + f.durationName + " ").bold(f.duration)
                .text(" · ").bold(String.valueOf(rows)).text(" " + rowsMeaning(view) + " · ")
                .muted(mode(view) + ", " + Messages.text("liveview.sink", view.facts().sink()) + ", "
                        + Messages.text("liveview.trigger", view.facts().trigger())));
        String error = view.error() == null ? "" : Html.errorLine(Messages.text("liveview.error"), view.error());
        String warning = view.warning() == null ? "" : Html.warningLine(view.warning());
        String body = "";
        if (table != null) {
            body = Html.table(table);
        } else if (f.nothingYet && view.state() == LiveView.State.ACTIVE) {
            body = Html.note(Messages.text(view.facts().continuous() ? "liveview.waiting_for_epoch" : "liveview.waiting_for_batch"));
        }
        return Displays.of(text.toString(), Html.section("live-view", header, error, warning, body));
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
        String header = Html.header(Html.line().boldFilled(asOf(view, frozen.batch()), view.label(), String.valueOf(frozen.batch()))
                .text(" · ").bold(String.valueOf(view.rowsInTable())).text(" " + rowsMeaning(view) + " · ").muted(note));
        String body;
        if (table != null) {
            text.append('\n').append(table.text());
            body = Html.table(table);
        } else {
            String none = Messages.text("stream.snapshot.no_table", view.facts().sink());
            text.append('\n').append(none);
            body = Html.note(none);
        }
        return Displays.of(text.toString(), Html.section("snapshot", header, body));
    }

    /** "{0} as of batch {1}" (or epoch, or before the first micro-batch), placeholders left for the name and number. */
    private static String asOf(LiveView view, long batch) {
        if (batch < 0) return Messages.text("stream.snapshot.before_first");
        return Messages.text(view.facts().continuous() ? "stream.snapshot.as_of_epoch" : "stream.snapshot.as_of_batch");
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

    private static Html.Tone tone(LiveView.State state) {
        return switch (state) {
            case ACTIVE -> Html.Tone.GOOD;
            case STOPPED -> Html.Tone.NEUTRAL;
            case FAILED -> Html.Tone.BAD;
        };
    }

    /** A query's state as the header says it (ACTIVE, STOPPED, FAILED in English). */
    static String state(LiveView.State state) {
        return Messages.text("liveview.state." + state.name().toLowerCase(Locale.ROOT));
    }

    static String rate(double value) {
        return Html.number(value);
    }
}
