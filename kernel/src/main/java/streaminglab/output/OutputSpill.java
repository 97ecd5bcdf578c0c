package streaminglab.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * What one cell printed past the output limit. A browser slows to a halt under megabytes of text, and
 * Jupyter's server drops output that comes faster than 1 MB/s, so the notebook shows the first
 * {@code limit} bytes of a cell's stdout and stderr and the rest goes to a file the cell names.
 * Nothing printed is lost.
 */
final class OutputSpill {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final long limit;
    private final Path dir;
    private final int executionCount;
    private long shown;
    private long spilled;
    private Path file;
    private String failure;
    private OutputStream out;
    private boolean started;

    OutputSpill(long limit, Path dir, int executionCount) {
        this.limit = limit;
        this.dir = dir;
        this.executionCount = executionCount;
    }

    /** Where one write went. CUT_HERE: the first that went to the file (the cell says so there). */
    enum Outcome { SHOWN, SPILLED, CUT_HERE }

    /**
     * Where these bytes go. Once one write spills, all later ones do too, so the file holds everything
     * after the cut, in order.
     */
    synchronized Outcome spill(byte[] bytes, int off, int len) {
        if (!started && shown + len <= limit) {
            shown += len;
            return Outcome.SHOWN;
        }
        Outcome outcome = started ? Outcome.SPILLED : Outcome.CUT_HERE;
        if (!started) open();
        spilled += len;
        if (failure == null) {
            try {
                // reopened after the cell ended: output of its background threads still lands
                if (out == null) out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                out.write(bytes, off, len);
            } catch (IOException | RuntimeException e) {
                failure = e.toString();
                close();
            }
        }
        return outcome;
    }

    /** The note the cell shows where its output is cut. */
    synchronized String cutNote() {
        String where = failure == null ? "The rest goes to " + file
                : "The rest could not be saved (" + failure + ")";
        return "\n[Output of this cell passed " + megabytes(limit) + ", so it is cut here: a notebook slows down under "
                + "that much text. " + where + ". SPARK_LAB_CELL_OUTPUT_MB sets the limit.]\n";
    }

    /** At the end of the cell's code: how much went to the file, or null if nothing did. */
    synchronized String endNote() {
        if (spilled == 0) return null;
        close(); // a cell that ended keeps no file open
        if (failure != null) {
            return "[" + megabytes(spilled) + " of this cell's output was not shown, and saving it failed: " + failure + "]\n";
        }
        return "[This cell printed " + megabytes(shown + spilled) + ": " + megabytes(shown) + " shown above, the other "
                + megabytes(spilled) + " in " + file + "]\n";
    }

    private void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) failure = e.toString();
        }
        out = null;
    }

    private void open() {
        started = true;
        try {
            Files.createDirectories(dir);
            file = dir.resolve("cell-" + executionCount + "-" + LocalDateTime.now().format(STAMP)
                    + "-pid" + ProcessHandle.current().pid() + ".txt");
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        }
    }

    static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
