package streaminglab.spark;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.parser.ParseException;
import streaminglab.execution.CellError;
import streaminglab.execution.RuntimeErrors;
import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Spark's errors, made readable: Spark's own message always shows whole (its error class, its text,
 * the SQL with the caret), after the lab's plain words where the lab knows better (a source name that
 * does not exist gets the nearest one that does); a failed job shows the exception its task threw,
 * not the scheduler's wrapping; running out of memory says so plainly.
 */
public final class SparkErrors {
    /** How the scheduler says that a task failed; the task's own exception is the cause below it. */
    private static final String JOB_ABORTED = "Job aborted due to stage failure";

    private SparkErrors() {
    }

    public static CellError explain(Throwable thrown) {
        Throwable memory = find(thrown, OutOfMemoryError.class);
        if (memory != null) {
            long heapMb = Runtime.getRuntime().maxMemory() >> 20;
            return RuntimeErrors.describe(memory, Messages.text("error.out_of_memory", heapMb));
        }
        Throwable spark = sparkThrowable(thrown);
        if (spark == null) return RuntimeErrors.describe(thrown, RuntimeErrors.firstLine(thrown.getMessage()));
        Throwable task = taskFailure(spark);
        if (task != null) {
            return RuntimeErrors.describe(task, Messages.text("error.in_spark_task", RuntimeErrors.firstLine(task.getMessage())));
        }
        List<String> said = sparkMessage(spark);
        String advice = advice(spark);
        // the lab's words first, then Spark's line with its error class: both are the error's value
        String headline = advice == null ? said.get(0) : advice + "\n" + said.get(0);
        return RuntimeErrors.describe(spark, nameOf(spark), headline, said.subList(1, said.size()));
    }

    /**
     * Spark's message as it wrote it, in lines: a parse error's SQL with the caret under the mistake, an
     * analysis error without the plan Spark appends to it (its simple message), the error class in front.
     */
    static List<String> sparkMessage(Throwable spark) {
        String message;
        if (spark instanceof ParseException) message = spark.getMessage(); // the SQL and caret are in getMessage only
        else if (spark instanceof AnalysisException) message = ((AnalysisException) spark).getSimpleMessage();
        else message = spark.getMessage();
        List<String> lines = new ArrayList<>();
        if (message != null) {
            for (String line : message.split("\n")) {
                if (line.startsWith("\tat ") || line.startsWith("Driver stacktrace:")) break; // a trace inside the text
                lines.add(line.stripTrailing());
            }
        }
        while (!lines.isEmpty() && lines.get(0).isBlank()) lines.remove(0); // a ParseException starts with a newline
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) lines.remove(lines.size() - 1);
        String errorClass = spark instanceof SparkThrowable ? ((SparkThrowable) spark).getErrorClass() : null;
        if (lines.isEmpty()) {
            lines.add(errorClass == null ? "" : "[" + errorClass + "]");
        } else if (errorClass != null && !lines.get(0).contains("[" + errorClass)) {
            lines.set(0, "[" + errorClass + "] " + lines.get(0));
        }
        String first = lines.get(0);
        if (first.endsWith(".;")) lines.set(0, first.substring(0, first.length() - 1)); // Spark ends analysis errors so
        return lines;
    }

    /** The lab's plain words before Spark's message, or null when Spark's message says it all. */
    private static String advice(Throwable spark) {
        if (!(spark instanceof SparkThrowable)) return null;
        SparkThrowable error = (SparkThrowable) spark;
        Map<String, String> parameters = error.getMessageParameters();
        if ("DATA_SOURCE_NOT_FOUND".equals(error.getErrorClass()) && parameters.get("provider") != null) {
            String typed = parameters.get("provider");
            if (typed.contains(".")) return null; // a class name: its jar is missing, not a typo
            List<String> known = SourceNames.known();
            String meant = SourceNames.nearest(typed, known);
            return meant != null
                    ? Messages.text("error.unknown_source", typed, meant)
                    : Messages.text("error.unknown_source.none_near", typed, String.join(", ", known));
        }
        return null;
    }

    /** Spark's own subclasses (ExtendedAnalysisException) read as the class users know. */
    private static String nameOf(Throwable t) {
        if (t instanceof ParseException) return "ParseException";
        if (t instanceof AnalysisException) return "AnalysisException";
        return t.getClass().getSimpleName();
    }

    /** The outermost Spark error in the chain (analysis, parse, or job failure). */
    private static Throwable sparkThrowable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SparkThrowable || c.getClass().getName().startsWith("org.apache.spark")) return c;
        }
        return null;
    }

    /**
     * What a task threw, when a job failed because of it: the innermost cause below the scheduler's "Job
     * aborted due to stage failure". Null when no task failed: then a cause (the class that a source name
     * did not find, say) is only a detail of Spark's own error.
     */
    private static Throwable taskFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(JOB_ABORTED) && c.getCause() != null && c.getCause() != c) {
                Throwable last = c.getCause();
                for (Throwable d = last.getCause(); d != null && d != last; d = d.getCause()) last = d;
                return last;
            }
        }
        return null;
    }

    private static Throwable find(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return c;
        }
        return null;
    }
}
