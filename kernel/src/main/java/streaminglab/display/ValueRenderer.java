package streaminglab.display;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQuery;
import streaminglab.language.Messages;

import java.util.Arrays;
import java.util.List;

/**
 * Turns a cell's value into what the notebook shows: a batch Dataset as a table (HTML with a
 * text fallback), display data as it is, anything else as text.
 */
public final class ValueRenderer {
    private final int defaultMaxRows;

    public ValueRenderer(int defaultMaxRows) {
        this.defaultMaxRows = defaultMaxRows;
    }

    public DisplayData render(Object value) {
        return render(value, defaultMaxRows);
    }

    public DisplayData render(Object value, int maxRows) {
        if (value instanceof DisplayData) return (DisplayData) value;
        if (value instanceof Dataset) return renderDataset((Dataset<?>) value, maxRows);
        if (value instanceof StreamingQuery) return query((StreamingQuery) value);
        return new DisplayData(cut(text(value)));
    }

    /** Runs the Dataset for at most maxRows + 1 rows; counts all rows only when some are cut. */
    public DisplayData renderDataset(Dataset<?> dataset, int maxRows) {
        Dataset<Row> rows = dataset.toDF();
        if (dataset.isStreaming()) return streamingHint(rows);
        Dataset<Row> shown = firstColumns(rows);
        List<Row> taken = Arrays.asList((Row[]) shown.take(maxRows + 1));
        long total = taken.size();
        if (taken.size() > maxRows) {
            taken = taken.subList(0, maxRows);
            total = rows.count();
        }
        Table table = new Table(rows.schema(), taken, total);
        return Displays.of(table.text(), Html.table(table));
    }

    /** Only the columns the table shows, so only they are computed: thousands of columns make Spark slow. */
    private static Dataset<Row> firstColumns(Dataset<Row> rows) {
        String[] columns = rows.columns();
        if (columns.length <= Table.MAX_COLUMNS) return rows;
        try {
            // quoted, so a name with a dot is one column, not a field of a struct
            return rows.select(Arrays.stream(columns, 0, Table.MAX_COLUMNS)
                    .map(name -> rows.col("`" + name.replace("`", "``") + "`")).toArray(Column[]::new));
        } catch (Exception ambiguous) { // Spark's AnalysisException is checked in Java's eyes
            return rows; // two columns of the same name: take all columns (slower, still right)
        }
    }

    /** The query's live view is already under the cell: the value only names it. */
    private static DisplayData query(StreamingQuery q) {
        String name = q.name() != null ? q.name() : q.id().toString();
        String state = q.isActive() ? Messages.text("display.query.active") : Messages.text("display.query.stopped");
        return new DisplayData(Messages.text("display.query", name, state));
    }

    private static DisplayData streamingHint(Dataset<Row> rows) {
        String hint = Messages.text("display.streaming_no_rows") + "\n" + rows.schema().treeString();
        return Displays.of(hint, Html.paragraph(Messages.text("display.streaming_no_rows"))
                + Html.preformatted(rows.schema().treeString()));
    }

    /** A value's text past this many characters is cut: megabytes of text stall the browser. */
    static final int MAX_TEXT_CHARS = 1_000_000;

    private static String cut(String text) {
        if (text.length() <= MAX_TEXT_CHARS) return text;
        return text.substring(0, MAX_TEXT_CHARS) + System.lineSeparator()
                + Messages.text("display.text_cut", String.format("%,d", MAX_TEXT_CHARS), String.format("%,d", text.length()));
    }

    private static String text(Object value) {
        if (value == null) return "null";
        if (value instanceof Object[]) return Arrays.deepToString((Object[]) value);
        if (value instanceof int[]) return Arrays.toString((int[]) value);
        if (value instanceof long[]) return Arrays.toString((long[]) value);
        if (value instanceof double[]) return Arrays.toString((double[]) value);
        if (value instanceof byte[]) return Arrays.toString((byte[]) value);
        if (value instanceof String) return (String) value;
        return String.valueOf(value);
    }
}
