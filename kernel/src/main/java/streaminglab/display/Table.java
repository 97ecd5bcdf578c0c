package streaminglab.display;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a result, ready to render: column names and types, the rows shown, and how many
 * more there are. A batch Dataset and a live streaming view both become one of these.
 */
public final class Table {
    /** Columns past this many are left out (and counted): a table thousands of columns wide is unreadable and slow. */
    public static final int MAX_COLUMNS = 100;

    private final List<String> names = new ArrayList<>();
    private final List<String> types = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();
    private final long totalRows;
    private final int hiddenColumns;

    /** shown: the rows to show, with all the schema's columns or only the first MAX_COLUMNS of them. */
    public Table(StructType schema, List<Row> shown, long totalRows) {
        StructField[] fields = schema.fields();
        int columns = Math.min(fields.length, MAX_COLUMNS);
        for (int i = 0; i < columns; i++) {
            names.add(fields[i].name());
            types.add(fields[i].dataType().simpleString());
        }
        for (Row row : shown) {
            int n = Math.min(row.length(), columns);
            List<String> cells = new ArrayList<>(n);
            for (int i = 0; i < n; i++) cells.add(Cells.text(row.get(i)));
            rows.add(cells);
        }
        this.totalRows = totalRows;
        this.hiddenColumns = fields.length - columns;
    }

    public List<String> names() {
        return names;
    }

    public List<String> types() {
        return types;
    }

    public List<List<String>> rows() {
        return rows;
    }

    public long totalRows() {
        return totalRows;
    }

    public long hiddenRows() {
        return Math.max(0, totalRows - rows.size());
    }

    /** Columns of the schema past MAX_COLUMNS, not shown. */
    public int hiddenColumns() {
        return hiddenColumns;
    }

    /** The same table as aligned text, for front ends without HTML. */
    public String text() {
        int[] width = new int[names.size()];
        for (int i = 0; i < names.size(); i++) width[i] = Math.max(names.get(i).length(), 1);
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) width[i] = Math.max(width[i], row.get(i).length());
        }
        StringBuilder sb = new StringBuilder();
        String rule = rule(width);
        sb.append(rule).append(line(names, width)).append(rule);
        for (List<String> row : rows) sb.append(line(row, width));
        sb.append(rule).append(footer());
        return sb.toString();
    }

    /** "N rows", with what is hidden: under the table in text and in HTML. */
    public String footer() {
        String count = rows.size() == 1 ? "1 row" : rows.size() + " rows";
        if (hiddenRows() > 0) count = count + " shown, " + hiddenRows() + " more rows";
        if (hiddenColumns > 0) {
            count = count + "; the first " + names.size() + " columns shown, " + hiddenColumns
                    + " more columns (select the ones you need, or printSchema() lists them all)";
        }
        return count;
    }

    private static String rule(int[] width) {
        StringBuilder sb = new StringBuilder("+");
        for (int w : width) sb.append("-".repeat(w + 2)).append('+');
        return sb.append('\n').toString();
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < width.length; i++) {
            String cell = i < cells.size() ? cells.get(i) : "";
            sb.append(' ').append(cell).append(" ".repeat(width[i] - cell.length())).append(" |");
        }
        return sb.append('\n').toString();
    }
}
