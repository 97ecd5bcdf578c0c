package streaminglab.spark;

import org.apache.spark.SparkThrowable;
import streaminglab.execution.CellError;
import streaminglab.execution.RuntimeErrors;
import streaminglab.language.Messages;

/**
 * Spark's errors, made readable: an analysis error shows its one line that matters (with the
 * suggestions Spark gives) first; a failed job shows the exception the task threw, not the
 * scheduler's wrapping; running out of memory says so plainly.
 */
public final class SparkErrors {
    private SparkErrors() {
    }

    public static CellError explain(Throwable thrown) {
        Throwable memory = find(thrown, OutOfMemoryError.class);
        if (memory != null) {
            long heapMb = Runtime.getRuntime().maxMemory() >> 20;
            return RuntimeErrors.describe(memory, Messages.text("error.out_of_memory", heapMb));
        }
        Throwable spark = sparkThrowable(thrown);
        if (spark != null) {
            Throwable task = taskFailure(spark);
            if (task != null && task != spark) {
                return RuntimeErrors.describe(task, Messages.text("error.in_spark_task", RuntimeErrors.firstLine(task.getMessage())));
            }
            return RuntimeErrors.describe(spark, nameOf(spark), RuntimeErrors.firstLine(spark.getMessage()));
        }
        return RuntimeErrors.describe(thrown, RuntimeErrors.firstLine(thrown.getMessage()));
    }

    /** Spark's own subclasses (ExtendedAnalysisException) read as the class users know. */
    private static String nameOf(Throwable t) {
        if (t instanceof org.apache.spark.sql.AnalysisException) return "AnalysisException";
        return t.getClass().getSimpleName();
    }

    /** The outermost Spark error in the chain (analysis, parse, or job failure). */
    private static Throwable sparkThrowable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SparkThrowable || c.getClass().getName().startsWith("org.apache.spark")) return c;
        }
        return null;
    }

    /** The innermost cause of a job failure, which is what the user's code threw in a task. */
    private static Throwable taskFailure(Throwable t) {
        Throwable last = t;
        for (Throwable c = t.getCause(); c != null && c != last; c = c.getCause()) last = c;
        return last;
    }

    private static Throwable find(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return c;
        }
        return null;
    }
}
