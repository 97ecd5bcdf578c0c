package streaminglab.streaming;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.streaming.StreamingQuery;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code display(streamingDataset)}: starts the Dataset on a memory sink, so its live view
 * appears with no writeStream code, as Databricks notebooks do. Aggregations run in complete
 * mode, everything else in append mode.
 */
public final class StreamingDisplay {
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    private StreamingDisplay() {
    }

    public static StreamingQuery start(Dataset<?> streaming) throws TimeoutException {
        String name = "display_" + NEXT.getAndIncrement();
        try {
            return streaming.writeStream().format("memory").queryName(name).outputMode("complete").start();
        } catch (Exception e) {
            if (!(e instanceof AnalysisException)) throw e;
            // complete mode needs an aggregation; a plain stream appends
            return streaming.writeStream().format("memory").queryName(name).outputMode("append").start();
        }
    }
}
