package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.display.Listing;
import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.List;

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
                    LiveViewRenderer.rate(p.inputRowsPerSecond()), LiveViewRenderer.rate(p.processedRowsPerSecond()), ms == null ? "" : ms.toString()));
        }
        DisplayData table = Listing.of(header, rows);
        return Displays.of(Messages.text("progress.recent", view.label(), all.size()) + "\n" + table.getData(MIMEType.TEXT_PLAIN),
                Html.paragraph(Html.line().bold(view.label()).text(": " + Messages.text("progress.chart_title", all.size())))
                        + chart(all) + table.getData(MIMEType.TEXT_HTML));
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
        DisplayData table = Listing.of(header, rows);
        String note = Messages.text("progress.continuous", view.label(), rows.size(), all.size());
        return Displays.of(note + "\n" + table.getData(MIMEType.TEXT_PLAIN), Html.paragraph(note) + table.getData(MIMEType.TEXT_HTML));
    }

    /** Input and processing rate over the recent micro-batches. */
    private static String chart(List<StreamingQueryProgress> progress) {
        double[] input = progress.stream().mapToDouble(StreamingQueryProgress::inputRowsPerSecond).toArray();
        double[] processed = progress.stream().mapToDouble(StreamingQueryProgress::processedRowsPerSecond).toArray();
        String caption = Messages.text("progress.chart.batches", progress.get(0).batchId(), progress.get(progress.size() - 1).batchId());
        return Html.rateChart(new Html.Series(Messages.text("progress.chart.input"), Html.Tone.INPUT, input),
                new Html.Series(Messages.text("progress.chart.processed"), Html.Tone.WARN, processed), "/s", caption, WIDTH, HEIGHT);
    }
}
