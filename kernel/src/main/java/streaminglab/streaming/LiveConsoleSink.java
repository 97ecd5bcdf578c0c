package streaminglab.streaming;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;
import org.apache.spark.sql.execution.streaming.sources.PackedRowCommitMessage;
import org.apache.spark.sql.execution.streaming.sources.PackedRowWriterFactory$;
import org.apache.spark.sql.internal.connector.SupportsStreamingUpdateAsAppend;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lab's {@code format("console")}: instead of printing each micro-batch (or, with a continuous
 * trigger, each epoch) as text, it hands the rows to the query's {@link LiveView}, which shows them as a
 * table that updates in place (the text form stays in the view's text/plain). Spark's option numRows
 * applies. The cell class loader makes "console" resolve here (see CellClassLoader).
 *
 * <p>It is a DataSource V2 sink, as Spark's own console sink is, so it works with every trigger. The rows
 * travel from the tasks to the driver in Spark's own commit messages (PackedRowWriterFactory), which
 * executors on other JVMs have on their class path; the kernel's classes are not there.
 */
public final class LiveConsoleSink implements Table, SupportsWrite {
    private final int numRows;

    private LiveConsoleSink(int numRows) {
        this.numRows = numRows;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public StructType schema() {
        return new StructType();
    }

    @Override
    public Set<TableCapability> capabilities() {
        return Set.of(TableCapability.STREAMING_WRITE);
    }

    @Override
    public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
        return new Builder(info.queryId(), info.schema(), numRows);
    }

    @Override
    public String toString() {
        return "LiveConsoleSink";
    }

    /** Complete mode asks the sink to truncate first: then each batch is the whole result table. */
    private static final class Builder implements WriteBuilder, SupportsTruncate, SupportsStreamingUpdateAsAppend {
        private final String queryId;
        private final StructType schema;
        private final int numRows;
        private boolean wholeTable;

        Builder(String queryId, StructType schema, int numRows) {
            this.queryId = queryId;
            this.schema = schema;
            this.numRows = numRows;
        }

        @Override
        public WriteBuilder truncate() {
            wholeTable = true;
            return this;
        }

        @Override
        public Write build() {
            StreamingWrite write = new ToLiveView(queryId, schema, numRows, wholeTable);
            return new Write() {
                @Override
                public String description() {
                    return "LiveConsoleSink";
                }

                @Override
                public StreamingWrite toStreaming() {
                    return write;
                }
            };
        }
    }

    /** Each committed batch or epoch: its rows, back on the driver, go to the query's live view. */
    private static final class ToLiveView implements StreamingWrite {
        private final String queryId;
        private final StructType schema;
        private final int numRows;
        private final boolean wholeTable;
        private final ExpressionEncoder.Deserializer<Row> toRow;

        ToLiveView(String queryId, StructType schema, int numRows, boolean wholeTable) {
            this.queryId = queryId;
            this.schema = schema;
            this.numRows = numRows;
            this.wholeTable = wholeTable;
            ExpressionEncoder<Row> encoder = ExpressionEncoder.apply(schema);
            this.toRow = encoder.resolveAndBind(encoder.resolveAndBind$default$1(), encoder.resolveAndBind$default$2())
                    .createDeserializer();
        }

        @Override
        public StreamingDataWriterFactory createStreamingWriterFactory(PhysicalWriteInfo info) {
            return PackedRowWriterFactory$.MODULE$;
        }

        @Override
        public void commit(long epochId, WriterCommitMessage[] messages) {
            List<Row> rows = new ArrayList<>();
            for (WriterCommitMessage message : messages) {
                if (!(message instanceof PackedRowCommitMessage)) continue;
                for (InternalRow row : ((PackedRowCommitMessage) message).rows()) rows.add(toRow.apply(row));
            }
            LiveViews views = LiveViews.current();
            if (views == null || !views.batch(queryId, epochId, schema, rows, wholeTable, numRows)) {
                printAsText(epochId, rows);
            }
        }

        /** No live view to show it in: print as Spark's console sink would. */
        private void printAsText(long epochId, List<Row> rows) {
            System.out.println("-------------------------------------------\nBatch: " + epochId
                    + "\n-------------------------------------------");
            SparkSession spark = SparkSession.active();
            spark.createDataFrame(rows, schema).show(numRows, false);
        }

        @Override
        public void abort(long epochId, WriterCommitMessage[] messages) {
            // nothing was shown for this batch yet; Spark runs it again or fails the query
        }
    }

    /** Registered under the short name "console". */
    public static final class Provider implements TableProvider, DataSourceRegister {
        @Override
        public String shortName() {
            return "console";
        }

        @Override
        public StructType inferSchema(CaseInsensitiveStringMap options) {
            return new StructType(); // a sink: it takes the query's schema, it has none of its own
        }

        @Override
        public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
            return new LiveConsoleSink(numRows(properties));
        }

        private static int numRows(Map<String, String> options) {
            String value = new CaseInsensitiveStringMap(options).get("numRows");
            if (value == null) return 20;
            try {
                return Math.max(1, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("The console sink's numRows option needs a whole number, not '"
                        + value + "'.");
            }
        }
    }
}
