package streaminglab.kafka;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import streaminglab.display.Displays;
import streaminglab.display.Html;
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
        return Displays.of(text, Html.table(table, note));
    }

    /** Name-value lines, as a two-column table in HTML (like %spark). */
    static DisplayData facts(Map<String, String> facts) {
        StringBuilder text = new StringBuilder();
        int width = facts.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        for (Map.Entry<String, String> e : facts.entrySet()) text.append(String.format("%-" + width + "s%s%n", e.getKey(), e.getValue()));
        return Displays.of(text.toString().stripTrailing(), Html.facts(facts));
    }

    /** 1234567 as 1,234,567. */
    static String count(long n) {
        return String.format("%,d", n);
    }
}
