package streaminglab.kafka;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import streaminglab.display.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Kafka magics' tables, drawn like every other table of the lab ({@link Table}), and fact lists. */
final class KafkaTables {
    private KafkaTables() {
    }

    /** Columns of a table: names with Spark types, so the header reads like a Dataset's. */
    static final class Columns {
        private final List<StructField> fields = new ArrayList<>();

        Columns add(String name, DataType type) {
            fields.add(DataTypes.createStructField(name, type, true));
            return this;
        }

        StructType schema() {
            return DataTypes.createStructType(fields);
        }
    }

    static Row row(Object... values) {
        return RowFactory.create(values);
    }

    /** A table of rows; totalRows above rows.size() shows as "N more rows"; note (may be null) goes below. */
    static DisplayData table(Columns columns, List<Row> rows, long totalRows, String note) {
        Table table = new Table(columns.schema(), rows, totalRows);
        String text = table.text() + (note == null ? "" : "\n" + note);
        DisplayData data = new DisplayData(text);
        data.putHTML(table.html() + (note == null ? "" : "<p style=\"font-size:85%\">" + escape(note) + "</p>"));
        return data;
    }

    /** Name-value lines, as a two-column table in HTML (like %spark). */
    static DisplayData facts(Map<String, String> facts) {
        StringBuilder text = new StringBuilder();
        StringBuilder html = new StringBuilder("<table style=\"border-collapse:collapse\">");
        int width = facts.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        for (Map.Entry<String, String> e : facts.entrySet()) {
            text.append(String.format("%-" + width + "s%s%n", e.getKey(), e.getValue()));
            html.append("<tr><th style=\"text-align:left;vertical-align:top\">").append(escape(e.getKey()))
                    .append("</th><td style=\"text-align:left\">").append(escape(e.getValue()).replace("\n", "<br>"))
                    .append("</td></tr>");
        }
        html.append("</table>");
        DisplayData data = new DisplayData(text.toString().stripTrailing());
        data.putHTML(html.toString());
        return data;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** 1234567 as 1,234,567. */
    static String count(long n) {
        return String.format("%,d", n);
    }
}
