package streaminglab.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/** Spark jobs are tagged with the cell that started them, so an interrupt cancels that cell's jobs. */
public final class CellJobs {
    private final SparkStarter starter;

    public CellJobs(SparkStarter starter) {
        this.starter = starter;
    }

    public static String groupOf(int executionCount) {
        return "cell-" + executionCount;
    }

    /** Tags jobs started by the calling thread (and threads it starts) with the cell. */
    public void tagCurrentThread(int executionCount) {
        SparkSession spark = starter.sessionIfReady();
        if (spark == null) return;
        spark.sparkContext().setJobGroup(groupOf(executionCount), "notebook cell [" + executionCount + "]", true);
    }

    public void cancel(int executionCount) {
        SparkSession spark = starter.sessionIfReady();
        if (spark == null) return;
        SparkContext sc = spark.sparkContext();
        sc.cancelJobGroup(groupOf(executionCount));
    }
}
