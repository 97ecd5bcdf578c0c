package streaminglab.output;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

import java.io.PrintStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One display that a cell shows and that changes in place afterwards: a live view, a socket feed's
 * progress, the fake producer's progress, a Spark job's progress bar. It owns the display id, the
 * first show, the throttle and the route of every update through {@link OutputRouter#updateDisplay},
 * so nbclient and every front end see it.
 *
 * <p>The throttle: a display not drawn for longer than its interval draws at once when it changes;
 * otherwise it draws at most once per interval, and the last change is always drawn.
 */
public final class UpdatingDisplay {
    private final OutputRouter router;
    private final CellOutput origin;
    private final String displayId;
    private final long intervalMs;
    private final Supplier<DisplayData> drawing;
    private final ScheduledExecutorService drawer;
    private final PrintStream log;

    private final Object throttle = new Object();
    private boolean drawPending;
    private volatile long lastDrawnAt;
    /** Whether the latest drawing reached a notebook being executed (see OutputRouter#updateDisplay). */
    private volatile boolean seenByRunningCell = true;

    /** Made by {@link OutputRouter#updatingDisplay}. */
    UpdatingDisplay(OutputRouter router, CellOutput origin, String displayId, long intervalMs, Supplier<DisplayData> drawing,
                    ScheduledExecutorService drawer, PrintStream log) {
        this.router = router;
        this.origin = origin;
        this.displayId = displayId;
        this.intervalMs = intervalMs;
        this.drawing = drawing;
        this.drawer = drawer;
        this.log = log;
    }

    public String displayId() {
        return displayId;
    }

    public CellOutput origin() {
        return origin;
    }

    /** Shows the display for the first time, under the cell that made it. */
    public void show() {
        DisplayData data = draw();
        if (data == null) return;
        origin.display(data);
        lastDrawnAt = System.currentTimeMillis();
    }

    /** Shows the display again in another cell (%stream show): both places update from now on. */
    public void showIn(CellOutput cell) {
        DisplayData data = draw();
        if (data != null) cell.display(data);
    }

    /** What it shows has changed: it is drawn now, or once its interval has passed. */
    public void changed() {
        long wait;
        synchronized (throttle) {
            if (drawPending) return;
            drawPending = true;
            wait = Math.max(0, lastDrawnAt + intervalMs - System.currentTimeMillis());
        }
        try {
            drawer.schedule(() -> {
                synchronized (throttle) {
                    // noted before drawing: a change while this draws waits its turn instead of being lost
                    drawPending = false;
                    lastDrawnAt = System.currentTimeMillis();
                }
                update();
            }, wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            synchronized (throttle) {
                drawPending = false;
            }
        }
    }

    /** Draws now, on the calling thread, whatever the throttle says: an end state (stopped, failed, done). */
    public void updateNow() {
        lastDrawnAt = System.currentTimeMillis();
        update();
    }

    /** Sends the latest drawing under the cell ending now, if the notebook running did not see it yet. */
    void catchUp(CellOutput endingCell) {
        if (seenByRunningCell) return;
        DisplayData data = draw();
        if (data == null) return;
        endingCell.updateDisplay(data);
        seenByRunningCell = true;
    }

    private void update() {
        // one at a time: an earlier state sent after a later one would stay on the page
        synchronized (this) {
            DisplayData data = draw();
            if (data == null) return;
            try {
                seenByRunningCell = router.updateDisplay(origin, data);
                if (!seenByRunningCell) router.behind(this);
            } catch (RuntimeException e) {
                log.println("display " + displayId + " could not be updated: " + e);
            }
        }
    }

    private DisplayData draw() {
        try {
            DisplayData data = drawing.get();
            if (data != null) data.setDisplayId(displayId);
            return data;
        } catch (RuntimeException e) {
            log.println("display " + displayId + " failed to draw: " + e);
            return null;
        }
    }
}
