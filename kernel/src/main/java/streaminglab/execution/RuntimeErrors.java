package streaminglab.execution;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * How an exception thrown by cell code reads in the notebook: its name and message first,
 * then only the frames worth reading (cell code and the call into it), the full trace folded
 * away for whoever needs it.
 */
public final class RuntimeErrors {
    /** Frames kept in the short trace. */
    private static final int SHORT_FRAMES = 8;

    private RuntimeErrors() {
    }

    public static CellError describe(Throwable thrown, String headline) {
        String name = thrown.getClass().getSimpleName();
        List<String> lines = new ArrayList<>();
        lines.add(name + ": " + headline);
        int kept = 0;
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (isKernelFrame(frame)) break; // below the cell: the lab's own machinery
            if (kept++ == SHORT_FRAMES) {
                lines.add("    ...");
                break;
            }
            lines.add("    at " + describe(frame));
        }
        Throwable cause = thrown.getCause();
        if (cause != null && cause != thrown) {
            lines.add("Caused by " + cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage()));
        }
        return new FailedCell(name, headline, lines, thrown);
    }

    /** A frame of cell code reads "cell (snippet 12, line 3)". */
    static String describe(StackTraceElement frame) {
        if (frame.getClassName().startsWith("REPL.")) {
            String file = frame.getFileName() == null ? "" : frame.getFileName().replace("#", "");
            return "cell code (snippet " + file + ", line " + frame.getLineNumber() + ")";
        }
        return frame.toString();
    }

    private static boolean isKernelFrame(StackTraceElement frame) {
        String cls = frame.getClassName();
        return cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.Method")
                || cls.startsWith("streaminglab.execution.");
    }

    public static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }

    public static String fullTrace(Throwable thrown) {
        StringWriter w = new StringWriter();
        thrown.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** A runtime failure: keeps the Throwable so its full trace can be shown folded. */
    public static final class FailedCell extends CellError {
        FailedCell(String name, String message, List<String> traceback, Throwable cause) {
            super(name, message, traceback, cause);
        }
    }
}
