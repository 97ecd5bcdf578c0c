package streaminglab.output;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.publish.PublishClearOutput;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one way output leaves the kernel. System.out and System.err are replaced once, at start,
 * by streams that ask the router which cell the writing thread works for: the thread's own cell
 * (inherited by every thread a cell starts, such as a query's stream thread), else the cell
 * running now, else the latest cell. Output written before any cell goes to the kernel's log.
 */
public final class OutputRouter implements AutoCloseable {
    private static final long FLUSH_EVERY_MS = 40;

    private final JupyterSocket iopub;
    private final PrintStream log;
    private final InheritableThreadLocal<CellOutput> owner = new InheritableThreadLocal<>();
    /** Cells with buffered stream output, flushed on the next tick. */
    private final Set<CellOutput> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService flusher;
    private final PrintStream out;
    private final PrintStream err;
    private final List<Consumer<CellOutput>> beforeCellEnds = new CopyOnWriteArrayList<>();
    /** Updating displays whose latest drawing went out under no running cell: nbclient has not seen it. */
    private final Set<UpdatingDisplay> behind = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService displayDrawer;
    private final OutputLimit limit;
    private volatile CellOutput running;
    private volatile CellOutput latest;

    /** No limit on a cell's output. */
    public OutputRouter(JupyterSocket iopub, PrintStream log) {
        this(iopub, log, null);
    }

    /** limit: how much of a cell's stdout and stderr the notebook shows before the rest goes to a file. */
    public OutputRouter(JupyterSocket iopub, PrintStream log, OutputLimit limit) {
        this.iopub = iopub;
        this.limit = limit;
        this.log = log;
        this.out = new PrintStream(new RoutedStream(PublishStream.StreamType.OUT), true, StandardCharsets.UTF_8);
        this.err = new PrintStream(new RoutedStream(PublishStream.StreamType.ERR), true, StandardCharsets.UTF_8);
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "output-flusher");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushAll, FLUSH_EVERY_MS, FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
        this.displayDrawer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "display-updates");
            t.setDaemon(true);
            return t;
        });
    }

    /** Installs the routed streams as System.out/err (before Scala's Console captures them). */
    public void install() {
        System.setOut(out);
        System.setErr(err);
    }

    /** A cell starts on the calling thread: it owns the thread and everything the thread starts. */
    public CellOutput begin(MessageContext request, int executionCount) {
        CellOutput cell = new CellOutput(iopub, request, executionCount, pending::add, limit);
        owner.set(cell);
        running = cell;
        latest = cell;
        return cell;
    }

    /** The cell's own code finished; its threads may still write to it. */
    public void end(CellOutput cell) {
        for (UpdatingDisplay display : behind) {
            behind.remove(display);
            display.catchUp(cell);
        }
        for (Consumer<CellOutput> hook : beforeCellEnds) {
            try {
                hook.accept(cell);
            } catch (RuntimeException e) {
                log.println("a cell-end hook failed: " + e);
            }
        }
        cell.ended();
        if (running == cell) running = null;
    }

    /** Runs hook at the end of every cell, while that cell is still the running one. */
    public void beforeCellEnds(Consumer<CellOutput> hook) {
        beforeCellEnds.add(hook);
    }

    /**
     * Updates a display that a cell showed earlier, from any thread, at any time. The update
     * travels under the cell running now if there is one, else under the cell that showed it:
     * JupyterLab and Notebook route updates by display id to every cell that showed it, while
     * nbclient only reads messages of the cell it is running. Returns true when it went out
     * under a running cell (so a notebook being executed saw it).
     */
    public boolean updateDisplay(CellOutput origin, DisplayData data) {
        CellOutput now = running;
        CellOutput via = now != null ? now : origin;
        via.updateDisplay(data);
        return now != null;
    }

    /**
     * IPython's clear_output for the cell the calling thread writes to: clears its output area now, or,
     * with wait, when its next output arrives (no flicker when a loop redraws). What was written before
     * goes out first, so it is what gets cleared.
     */
    public void clearOutput(boolean wait) {
        CellOutput cell = current();
        if (cell == null) return;
        cell.flush();
        cell.publish(wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW);
    }

    /**
     * A display of origin's cell, updated in place, at most once per intervalMs (see {@link UpdatingDisplay});
     * drawing gives what it shows each time.
     */
    public UpdatingDisplay updatingDisplay(CellOutput origin, String displayId, long intervalMs, Supplier<DisplayData> drawing) {
        return updatingDisplay(origin, displayId, intervalMs, drawing, displayDrawer);
    }

    /** The same for a display of origin's, drawn on the owner's own thread (a live view draws where it reads its table). */
    public UpdatingDisplay updatingDisplay(CellOutput origin, String displayId, long intervalMs, Supplier<DisplayData> drawing,
                                          ScheduledExecutorService drawer) {
        return new UpdatingDisplay(this, origin, displayId, intervalMs, drawing, drawer, log);
    }

    /** The display's latest drawing reached no running cell: it is sent again when the next cell ends. */
    void behind(UpdatingDisplay display) {
        behind.add(display);
    }

    /** The cell being executed now, or null between cells. */
    public CellOutput running() {
        return running;
    }

    /** Lets the calling thread (the cell thread, a fresh worker) write for the cell, and every thread it starts. */
    public void adopt(CellOutput cell) {
        owner.set(cell);
    }

    /** The cell the calling thread writes to, or null before the first cell. */
    public CellOutput current() {
        CellOutput cell = owner.get();
        if (cell != null) return cell;
        cell = running;
        return cell != null ? cell : latest;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public void flushAll() {
        for (CellOutput cell : pending) {
            pending.remove(cell);
            try {
                cell.flush();
            } catch (RuntimeException e) {
                log.println("output flush failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        flushAll();
        flusher.shutdownNow();
        displayDrawer.shutdownNow();
    }

    private final class RoutedStream extends OutputStream {
        private final PublishStream.StreamType type;

        RoutedStream(PublishStream.StreamType type) {
            this.type = type;
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            CellOutput cell = current();
            if (cell == null) {
                log.write(b, off, len);
                return;
            }
            cell.write(type, b, off, len);
        }
    }
}
