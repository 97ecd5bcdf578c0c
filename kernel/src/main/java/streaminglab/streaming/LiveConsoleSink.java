package streaminglab.streaming;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.execution.streaming.Sink;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.sources.StreamSinkProvider;
import org.apache.spark.sql.streaming.OutputMode;
import scala.collection.Seq;
import scala.collection.immutable.Map;

import java.util.Arrays;
import java.util.List;

/**
 * The lab's {@code format("console")}: instead of printing each micro-batch as text, it hands
 * the rows to the query's {@link LiveView}, which shows them as a table that updates in place
 * (the text form stays in the view's text/plain). Spark's options numRows and truncate apply.
 * The cell class loader makes "console" resolve here (see CellClassLoader).
 */
public final class LiveConsoleSink implements Sink {
    /** What Spark's stream thread sets to the running query's id. */
    private static final String QUERY_ID = "sql.streaming.queryId";

    private final int numRows;
    private final boolean wholeTable;

    LiveConsoleSink(int numRows, boolean wholeTable) {
        this.numRows = numRows;
        this.wholeTable = wholeTable;
    }

    @Override
    public void addBatch(long batchId, Dataset<Row> data) {
        List<Row> rows = Arrays.asList((Row[]) data.collect());
        String queryId = data.sparkSession().sparkContext().getLocalProperty(QUERY_ID);
        LiveViews views = LiveViews.current();
        if (views == null || queryId == null || !views.batch(queryId, batchId, data.schema(), rows, wholeTable, numRows)) {
            // no live view to show it in: print as Spark's console sink would
            System.out.println("-------------------------------------------\nBatch: " + batchId
                    + "\n-------------------------------------------");
            data.sparkSession().createDataFrame(rows, data.schema()).show(numRows, false);
        }
    }

    @Override
    public String toString() {
        return "LiveConsoleSink";
    }

    /** Registered under the short name "console". */
    public static final class Provider implements StreamSinkProvider, DataSourceRegister {
        @Override
        public String shortName() {
            return "console";
        }

        @Override
        public Sink createSink(SQLContext sqlContext, Map<String, String> parameters, Seq<String> partitionColumns,
                               OutputMode outputMode) {
            int numRows = 20;
            if (parameters.contains("numRows")) {
                try {
                    numRows = Math.max(1, Integer.parseInt(parameters.apply("numRows").trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("The console sink's numRows option needs a whole number, not '"
                            + parameters.apply("numRows") + "'.");
                }
            }
            return new LiveConsoleSink(numRows, String.valueOf(outputMode).equalsIgnoreCase("Complete"));
        }
    }
}
