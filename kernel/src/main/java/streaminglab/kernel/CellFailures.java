package streaminglab.kernel;

import streaminglab.execution.CellError;
import streaminglab.execution.CellInterruptedException;
import streaminglab.execution.CellRuntimeError;
import streaminglab.execution.RuntimeErrors;
import streaminglab.language.Messages;
import streaminglab.magics.UsageError;
import org.apache.spark.sql.SparkSession;
import streaminglab.spark.SparkErrors;
import streaminglab.streaming.LiveViews;
import streaminglab.streaming.StreamingErrors;

import java.util.ArrayList;
import java.util.List;

/** Whatever stopped a cell, as the one error message the notebook shows: the short lines, then the full trace. */
final class CellFailures {
    private static final String DIM = "\u001b[2m";
    private static final String PLAIN = "\u001b[0m";

    private CellFailures() {
    }

    static CellError describe(Throwable failure, SparkSession spark, LiveViews views) {
        if (failure instanceof CellRuntimeError) failure = ((CellRuntimeError) failure).thrown();
        CellError streaming = StreamingErrors.explain(failure, spark, views);
        if (streaming != null) return streaming;
        if (isInterrupt(failure)) {
            return new CellError("Interrupted", Messages.text("kernel.interrupted"),
                    List.of(Messages.text("kernel.interrupted_line")), null);
        }
        if (failure instanceof CellError) return (CellError) failure;
        if (failure instanceof UsageError) {
            UsageError usage = (UsageError) failure;
            List<String> lines = new ArrayList<>();
            lines.add(usage.getMessage());
            lines.add("");
            lines.add(Messages.text("magic.usage_header"));
            lines.addAll(List.of(usage.usage().split("\n")));
            return new CellError("UsageError", usage.getMessage(), lines, null);
        }
        return SparkErrors.explain(failure);
    }

    private static boolean isInterrupt(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof CellInterruptedException || c instanceof ThreadDeath) return true;
            if (c instanceof InterruptedException) return true;
        }
        return false;
    }

    /**
     * The traceback the notebook shows, in the one error message: the short lines first (what the
     * student reads), then, for a runtime failure, the whole stack trace under a dimmed heading; front
     * ends show a long traceback scrolled or collapsed, and the kernel log has it too.
     */
    static List<String> traceback(CellError error) {
        if (!(error instanceof RuntimeErrors.FailedCell) || error.getCause() == null) return error.traceback();
        List<String> lines = new ArrayList<>(error.traceback());
        lines.add("");
        lines.add(DIM + "── " + Messages.text("kernel.full_trace") + " ──" + PLAIN);
        lines.addAll(List.of(RuntimeErrors.fullTrace(error.getCause()).stripTrailing().split("\r?\n")));
        return lines;
    }
}
