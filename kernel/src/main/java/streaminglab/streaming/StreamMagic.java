package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import streaminglab.display.Listing;
import streaminglab.language.Messages;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.MagicCall;
import streaminglab.magics.UsageError;
import streaminglab.output.OutputRouter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** {@code %stream}: list, stop, show, wait for and chart the notebook's streaming queries. */
public final class StreamMagic implements Magic {
    // the kernel chooses its language before it makes its magics
    static final String USAGE = Messages.text("stream.usage");

    private final Supplier<LiveViews> views;
    private final OutputRouter router;

    public StreamMagic(Supplier<LiveViews> views, OutputRouter router) {
        this.views = views;
        this.router = router;
    }

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public String summary() {
        return Messages.text("stream.summary");
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public Object run(MagicCall call) throws Exception {
        MagicArgs args = call.args().accept(Set.of("batches", "timeout"), Set.of("until-idle", "snapshot"), USAGE);
        List<String> words = args.positional();
        if (words.isEmpty()) throw new UsageError(Messages.text("stream.needs_subcommand"), USAGE);
        String sub = words.get(0);
        LiveViews live = views.get();
        if (args.has("snapshot") && !sub.equals("show")) throw new UsageError(Messages.text("stream.snapshot.only_show"), USAGE);
        switch (sub) {
            case "list" -> {
                expect(words, 1, Messages.text("stream.list_no_name"));
                return list(live);
            }
            case "stop" -> {
                expect(words, 2, Messages.text("stream.stop_needs_name"));
                return stop(live, words.get(1));
            }
            case "show" -> {
                expect(words, 2, Messages.text("stream.show_needs_name"));
                if (args.has("snapshot")) live.showSnapshotHere(find(live, words.get(1)), router.current());
                else live.showHere(find(live, words.get(1)), router.current());
                return null;
            }
            case "wait" -> {
                expect(words, 2, Messages.text("stream.wait_needs_name"));
                if (args.has("batches") && args.has("until-idle")) {
                    throw new UsageError(Messages.text("stream.batches_or_idle"), USAGE);
                }
                int batches = args.intOption("batches", 0, 1, 1_000_000, USAGE);
                int timeout = args.secondsOption("timeout", 60, 1, 24 * 3600, USAGE);
                return await(live, find(live, words.get(1)), batches, timeout);
            }
            case "progress" -> {
                expect(words, 2, Messages.text("stream.progress_needs_name"));
                return ProgressChart.render(find(live, words.get(1)));
            }
            default -> throw new UsageError(Messages.text("stream.unknown_subcommand", sub), USAGE);
        }
    }

    private static void expect(List<String> words, int count, String message) throws UsageError {
        if (words.size() != count) throw new UsageError(message, USAGE);
    }

    private static LiveView find(LiveViews live, String name) throws UsageError {
        return live.find(name).orElseThrow(() -> new UsageError(Messages.text("stream.no_such_query", name)
                + (live.all().isEmpty() ? Messages.text("stream.no_query_yet") : Messages.text("stream.list_shows",
                String.join(", ", live.all().stream().map(LiveView::label).toList()))), USAGE));
    }

    private static DisplayData list(LiveViews live) {
        List<String> header = List.of(Messages.text("stream.column.name"), Messages.text("stream.column.id"),
                Messages.text("stream.column.state"), Messages.text("stream.column.sink"), Messages.text("stream.column.mode"),
                Messages.text("stream.column.trigger"), Messages.text("stream.column.batches"),
                Messages.text("stream.column.last_progress"));
        List<List<String>> rows = new ArrayList<>();
        for (LiveView v : live.all()) {
            String last = lastProgress(v);
            rows.add(List.of(v.label(), v.id().toString(), LiveViewRenderer.state(v.state()), v.facts().sink(), v.facts().outputMode(),
                    v.facts().trigger(), String.valueOf(v.batches()), last));
        }
        if (rows.isEmpty()) return new DisplayData(Messages.text("stream.none_started"));
        return Listing.of(header, rows);
    }

    private static String lastProgress(LiveView v) {
        if (v.facts().continuous()) {
            LiveView.Epoch e = v.lastEpoch();
            return e == null ? Messages.text("stream.none_yet") : Messages.text("stream.last_epoch", e.id(),
                    e.rows() >= 0 ? Messages.text("stream.epoch_rows", e.rows()) : "", java.time.Instant.ofEpochMilli(e.committedAt()));
        }
        StreamingQueryProgress p = v.lastProgress();
        return p == null ? Messages.text("stream.none_yet") : Messages.text("stream.last_batch", p.batchId(), p.numInputRows(), p.timestamp());
    }

    private static String stop(LiveViews live, String which) throws Exception {
        List<LiveView> targets = new ArrayList<>();
        if (which.equals("all")) {
            for (LiveView v : live.all()) if (v.state() == LiveView.State.ACTIVE) targets.add(v);
            if (targets.isEmpty()) return Messages.text("stream.none_running");
        } else {
            targets.add(find(live, which));
        }
        List<String> stopped = new ArrayList<>();
        List<String> stopping = new ArrayList<>();
        for (LiveView v : targets) {
            StreamingQuery q = live.query(v);
            if (q == null || !q.isActive()) {
                stopped.add(v.label() + Messages.text("stream.already", LiveViewRenderer.state(v.state()).toLowerCase(Locale.ROOT)));
                continue;
            }
            if (stopWithin(q, STOP_WAIT_SECONDS)) {
                live.stopped(v);
                stopped.add(v.label());
            } else {
                stopping.add(v.label());
            }
        }
        String said = stopped.isEmpty() ? "" : Messages.text("stream.stopped", String.join(", ", stopped));
        if (!stopping.isEmpty()) {
            said += (said.isEmpty() ? "" : "\n") + Messages.text(stopping.size() == 1 ? "stream.still_stopping.one"
                    : "stream.still_stopping.many", String.join(", ", stopping), LiveViewRenderer.state(LiveView.State.STOPPED));
        }
        return said;
    }

    /**
     * Waits that may outlive the cell run on threads of their own: the common pool has one thread on 2 cores,
     * and one query stuck waiting for Kafka would hold up every later wait and stop.
     */
    private static final java.util.concurrent.Executor OWN_THREAD = task -> {
        Thread t = new Thread(task, "stream-magic-wait");
        t.setDaemon(true);
        t.start();
    };

    /** How long %stream stop waits for a query before it says the query is still stopping. */
    private static final int STOP_WAIT_SECONDS = 15;

    /**
     * Stops a query, waiting at most `seconds`: Spark waits for the query's thread, which cannot be interrupted
     * while the Kafka source asks a broker for offsets (Spark runs that uninterruptibly); the cell must not hang.
     */
    private static boolean stopWithin(StreamingQuery q, int seconds) throws Exception {
        CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
            try {
                q.stop();
            } catch (TimeoutException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, OWN_THREAD);
        try {
            stop.get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private static String await(LiveViews live, LiveView view, int batches, int timeoutSeconds) throws Exception {
        StreamingQuery q = live.query(view);
        if (q == null || !q.isActive()) return notRunning(view);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        // a continuous query is never "caught up" in Spark's sense (processAllAvailable would wait forever):
        // waiting for it means waiting for its next committed epoch(s)
        if (batches == 0 && view.facts().continuous()) batches = 1;
        if (batches > 0) {
            long target = view.batches() + batches;
            while (view.batches() < target && q.isActive()) {
                if (System.nanoTime() > deadline) throw timeout(view, timeoutSeconds);
                Thread.sleep(50);
            }
        } else {
            // processAllAvailable has no timeout of its own: it runs aside while this thread waits
            CompletableFuture<Void> idle = CompletableFuture.runAsync(q::processAllAvailable, OWN_THREAD);
            try {
                idle.get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw untilIdleTimeout(view, timeoutSeconds);
            } catch (java.util.concurrent.ExecutionException e) {
                if (q.isActive()) throw e;
            }
        }
        live.refreshNow(view);
        if (!q.isActive()) return notRunning(view);
        return Messages.text("stream.up_to_date", view.label(), position(view), view.rowsInTable(),
                LiveViewRenderer.rowsMeaning(view));
    }

    private static String notRunning(LiveView view) {
        return Messages.text("stream.not_running", view.label(), LiveViewRenderer.state(view.state()),
                view.error() != null ? Messages.text("stream.not_running.error", view.error()) : ".");
    }

    private static Exception timeout(LiveView view, int seconds) {
        String at = position(view);
        return new TimeoutException(Messages.text("stream.timeout", view.label(), Duration.ofSeconds(seconds).toSeconds(),
                at.isEmpty() ? Messages.text(view.facts().continuous() ? "stream.no_epoch_yet" : "stream.no_batch_yet") : at.trim())
                + (view.facts().continuous() && view.lastEpoch() == null ? Messages.text("stream.continuous_slots") : ""));
    }

    /** --until-idle timed out: maybe the source never runs dry, and then only --batches can say when to go on. */
    private static Exception untilIdleTimeout(LiveView view, int seconds) {
        Exception e = timeout(view, seconds);
        if (view.lastProgress() == null) return e;
        return new TimeoutException(e.getMessage() + Messages.text("stream.never_dry", view.label()));
    }

    /** " at batch N" or " at epoch N"; empty before the first. */
    private static String position(LiveView view) {
        if (view.facts().continuous()) {
            LiveView.Epoch e = view.lastEpoch();
            return e == null ? "" : Messages.text("stream.at_epoch", e.id());
        }
        StreamingQueryProgress p = view.lastProgress();
        return p == null ? "" : Messages.text("stream.at_batch", p.batchId());
    }
}
