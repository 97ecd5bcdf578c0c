package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import streaminglab.execution.CellError;
import streaminglab.execution.CellInterruptedException;
import streaminglab.execution.CellRuntimeError;
import streaminglab.execution.RuntimeErrors;
import streaminglab.language.Messages;
import streaminglab.magics.UsageError;
import org.apache.spark.sql.SparkSession;
import streaminglab.spark.SparkErrors;
import streaminglab.streaming.StreamingErrors;

import java.util.ArrayList;
import java.util.List;

/** Whatever stopped a cell, as the error the notebook shows, plus the full trace folded below it. */
final class CellFailures {
    private CellFailures() {
    }

    static CellError describe(Throwable failure, SparkSession spark) {
        if (failure instanceof CellRuntimeError) failure = ((CellRuntimeError) failure).thrown();
        CellError streaming = StreamingErrors.explain(failure, spark);
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

    /** The whole stack trace in a closed details element, for runtime failures; null for the rest. */
    static DisplayData foldedTrace(CellError error) {
        if (!(error instanceof RuntimeErrors.FailedCell) || error.getCause() == null) return null;
        String trace = RuntimeErrors.fullTrace(error.getCause());
        DisplayData data = new DisplayData(Messages.text("kernel.full_trace_text"));
        data.putHTML("<details><summary style=\"cursor:pointer;opacity:0.7\">" + Messages.text("kernel.full_trace") + "</summary><pre style=\"font-size:80%\">"
                + trace.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</pre></details>");
        return data;
    }
}
