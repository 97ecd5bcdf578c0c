package streaminglab.execution;

import streaminglab.language.Messages;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * How an exception thrown by cell code reads in the notebook: its name and message first,
 * then only the frames worth reading (those in cell code), the full trace folded away for
 * whoever needs it.
 */
public final class RuntimeErrors {
    /** Frames kept in the short trace. */
    private static final int SHORT_FRAMES = 8;

    private RuntimeErrors() {
    }

    public static CellError describe(Throwable thrown, String headline) {
        return describe(thrown, thrown.getClass().getSimpleName(), headline);
    }

    /** name: what the notebook calls the error (e.g. AnalysisException for Spark's subclasses of it). */
    public static CellError describe(Throwable thrown, String name, String headline) {
        List<String> lines = new ArrayList<>();
        lines.add(name + ": " + headline);
        List<String> cellFrames = cellFrames(thrown);
        if (!cellFrames.isEmpty()) {
            lines.addAll(cellFrames);
        } else {
            // not thrown through cell code (e.g. a Spark error raised in a library): the first frames only
            StackTraceElement[] frames = thrown.getStackTrace();
            for (int i = 0; i < Math.min(3, frames.length); i++) lines.add("    at " + frames[i]);
        }
        addCause(lines, thrown);
        return new FailedCell(name, headline, lines, thrown);
    }

    /**
     * An error whose own text is what to read (Spark's, with its error class and the SQL with the caret): the
     * headline, the rest of the text line by line, the frames in cell code; not the library's frames, which
     * only the full trace shows.
     */
    public static CellError describe(Throwable thrown, String name, String headline, List<String> more) {
        List<String> lines = new ArrayList<>();
        lines.add(name + ": " + headline);
        lines.addAll(more);
        lines.addAll(cellFrames(thrown));
        addCause(lines, thrown);
        return new FailedCell(name, headline, lines, thrown);
    }

    /** The first frames in cell code, as the notebook says them. */
    private static List<String> cellFrames(Throwable thrown) {
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (frame.getClassName().startsWith("REPL.") && frames.size() < SHORT_FRAMES) frames.add("    at " + describe(frame));
        }
        return frames;
    }

    private static void addCause(List<String> lines, Throwable thrown) {
        Throwable cause = thrown.getCause();
        if (cause != null && cause != thrown) {
            lines.add(Messages.text("error.caused_by", cause.getClass().getSimpleName(), firstLine(cause.getMessage())));
        }
    }

    /** A frame of cell code reads "the cell's code" or "a lambda in the cell". */
    static String describe(StackTraceElement frame) {
        String method = frame.getMethodName();
        if (method.startsWith("lambda$")) return Messages.text("error.frame.lambda");
        if (method.equals("do_it$")) return Messages.text("error.frame.cell");
        String cls = frame.getClassName();
        String simple = cls.substring(cls.lastIndexOf('$') + 1);
        return Messages.text("error.frame.method", (simple.startsWith("JShell") ? "" : simple + ".") + method);
    }

    /** The first line with something on it (a ParseException's message starts with a newline). */
    public static String firstLine(String message) {
        if (message == null) return "";
        message = message.stripLeading();
        int nl = message.indexOf('\n');
        String line = (nl < 0 ? message : message.substring(0, nl)).trim();
        return line.endsWith(".;") ? line.substring(0, line.length() - 1) : line; // Spark ends analysis errors so
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
