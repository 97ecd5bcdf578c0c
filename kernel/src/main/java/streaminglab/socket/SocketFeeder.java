package streaminglab.socket;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.language.Messages;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputRouter;
import streaminglab.output.UpdatingDisplay;

import java.util.List;

/** Sends a file's lines to a socket server in the background, at a steady rate, showing its progress. */
final class SocketFeeder {
    private static final long PROGRESS_EVERY_MS = 500;

    private final SocketTextServer server;
    private final List<String> lines;
    private final double rate;
    private final boolean loop;
    private final String label;
    /** The feed's progress under the cell that started it; null when no cell did. */
    private final UpdatingDisplay display;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sent;
    private volatile long undelivered;
    private volatile String state = Messages.text("feeder.starting");

    private final int readers;
    private final long connectWaitMs;

    /** readers: queries that read the port now; the feed starts once they are connected (or after connectWaitMs). */
    SocketFeeder(SocketTextServer server, List<String> lines, double rate, boolean loop, OutputRouter router, CellOutput cell,
                 String label, int readers, long connectWaitMs) {
        this.readers = readers;
        this.connectWaitMs = connectWaitMs;
        this.server = server;
        this.lines = lines;
        this.rate = rate;
        this.loop = loop;
        this.label = label;
        this.display = cell == null ? null
                : router.updatingDisplay(cell, "socket-feed-" + System.nanoTime(), PROGRESS_EVERY_MS, this::progress);
        this.thread = new Thread(this::run, "socket-feeder-" + label);
        thread.setDaemon(true);
    }

    void start() {
        if (display != null) display.show();
        thread.start();
    }

    SocketTextServer server() {
        return server;
    }

    boolean isRunning() {
        return running && thread.isAlive();
    }

    /** Waits until the feed has ended (the cell waiting on it can be interrupted). */
    void awaitEnd() throws InterruptedException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            stop();
            throw e;
        }
    }

    /** Returns true if it was running. */
    boolean stop() {
        boolean was = isRunning();
        running = false;
        thread.interrupt();
        return was;
    }

    private void run() {
        server.awaitClients(readers, connectWaitMs);
        long nanosPerLine = (long) (1_000_000_000L / rate);
        long next = System.nanoTime();
        int i = 0;
        state = Messages.text("feeder.feeding");
        try {
            while (running) {
                if (i == lines.size()) {
                    if (!loop) break;
                    i = 0;
                }
                if (server.send(List.of(lines.get(i))) > 0) sent++;
                else undelivered++;
                i++;
                next += nanosPerLine;
                long sleep = next - System.nanoTime();
                if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                if (display != null) display.changed();
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } finally {
            running = false;
            state = Messages.text(i == lines.size() && !loop ? "feeder.done" : "feeder.stopped");
            if (display != null) display.updateNow();
        }
    }

    private DisplayData progress() {
        String text = Messages.text("feeder.progress", label, state, server.port(), sent,
                rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate),
                loop ? Messages.text("feeder.looping") : Messages.text("feeder.of", lines.size()),
                undelivered > 0 ? Messages.text("feeder.undelivered", undelivered) : "");
        return Displays.of(text, Html.status(Html.line().text(text), Html.Tone.NEUTRAL));
    }
}
