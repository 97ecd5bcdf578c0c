package streaminglab.streaming;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.streaming.sources.MemorySink;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.types.StructType;
import streaminglab.execution.RuntimeErrors;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputRouter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BinaryOperator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every streaming query of the notebook and its live view. Spark tells it when a query starts
 * (on the query's own thread, which belongs to the cell that started it), makes progress, or
 * ends; it renders the view under that cell, at most every few hundred milliseconds.
 */
public final class LiveViews extends StreamingQueryListener {
    private static volatile LiveViews current;

    private final OutputRouter router;
    private final SparkSession spark;
    private final int maxRows;
    private final long minIntervalMs;
    private final PrintStream log;
    /** Plain words for a failed query from the part of the lab that knows its cause (Kafka gone ...), or null. */
    private final BinaryOperator<String> failureAdvice;
    private final Map<UUID, LiveView> views = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renderer;

    public LiveViews(OutputRouter router, SparkSession spark, int maxRows, long minIntervalMs, ClassLoader cellLoader,
                     PrintStream log, BinaryOperator<String> failureAdvice) {
        this.router = router;
        this.spark = spark;
        this.maxRows = maxRows;
        this.minIntervalMs = minIntervalMs;
        this.log = log;
        this.failureAdvice = failureAdvice;
        this.renderer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-views");
            t.setDaemon(true);
            t.setContextClassLoader(cellLoader);
            return t;
        });
        renderer.scheduleWithFixedDelay(this::noteEpochs, EPOCH_POLL_MS, EPOCH_POLL_MS, TimeUnit.MILLISECONDS);
    }

    private static final long EPOCH_POLL_MS = 500;

    /**
     * Continuous queries send no progress events: their views learn of each committed epoch from the query's
     * commit log (the console sink also tells them, with the epoch's rows).
     */
    private void noteEpochs() {
        for (LiveView view : views.values()) {
            if (!view.facts().continuous() || view.state() != LiveView.State.ACTIVE) continue;
            try {
                StreamingQuery query = spark.streams().get(view.id());
                var execution = query == null ? null : StreamingQueries.execution(query);
                if (execution == null) continue;
                scala.Option<Object> latest = execution.commitLog().getLatestBatchId();
                LiveView.Epoch seen = view.lastEpoch();
                if (latest.isDefined() && (seen == null || seen.id() < (Long) latest.get())) {
                    view.epoch((Long) latest.get(), -1);
                    if (view.facts().readsMemoryTable()) readMemoryTable(view); // it renders
                    else view.display().changed();
                }
            } catch (RuntimeException e) {
                log.println("could not read the epochs of " + view.label() + ": " + e);
            }
        }
    }

    /**
     * Listens to the session's queries. The live console sink finds the views through {@link #current()}: Spark
     * makes that sink itself, by its class name, so nothing can hand it the views; it is the one reader of this.
     */
    public void attach() {
        spark.streams().addListener(this);
        current = this;
    }

    static LiveViews current() {
        return current;
    }

    public Collection<LiveView> all() {
        List<LiveView> list = new ArrayList<>(views.values());
        list.sort((a, b) -> Long.compare(a.startedAt(), b.startedAt()));
        return list;
    }

    /** A view by query name, or by id (or the start of one). */
    public Optional<LiveView> find(String nameOrId) {
        LiveView byName = null;
        for (LiveView v : all()) {
            if (nameOrId.equals(v.name())) byName = v; // the latest query of that name
        }
        if (byName != null) return Optional.of(byName);
        return all().stream().filter(v -> v.id().toString().startsWith(nameOrId)).findFirst();
    }

    public StreamingQuery query(LiveView view) {
        return spark.streams().get(view.id());
    }

    // --- Spark's events -------------------------------------------------------------------

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
        CellOutput cell = router.current();
        if (cell == null) return;
        StreamingQuery query = spark.streams().get(event.id());
        LiveView.QueryFacts facts = query != null ? LiveView.QueryFacts.of(query) : LiveView.QueryFacts.UNKNOWN;
        LiveView view = new LiveView(event.id(), event.runId(), event.name(), cell, facts, maxRows);
        view.drawnBy(router.updatingDisplay(cell, view.displayId(), minIntervalMs, () -> LiveViewRenderer.render(view), renderer));
        views.put(event.id(), view);
        view.display().show();
    }

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
        LiveView view = views.get(event.progress().id());
        if (view == null || !view.runId().equals(event.progress().runId())) return; // an earlier run's last word
        view.progress(event.progress());
        if (view.facts().readsMemoryTable() && (event.progress().numInputRows() > 0 || view.batches() == 1)) {
            renderer.execute(() -> readMemoryTable(view));
        }
        view.display().changed();
    }

    @Override
    public void onQueryIdle(QueryIdleEvent event) {
        // nothing new to show
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
        LiveView view = views.get(event.id());
        if (view == null || !view.runId().equals(event.runId())) return;
        String error = event.exception().isDefined()
                ? StreamingErrors.forFailedQuery(event.exception().get(), shortError(event.exception().get()),
                        view.facts().checkpoint(), failureAdvice, view.facts().sources())
                : null;
        view.terminated(error);
        renderer.execute(() -> view.display().updateNow()); // the end is always shown, not throttled away
    }

    /** A query stopped from the lab: shown at once, before Spark's own event arrives. */
    void stopped(LiveView view) {
        if (view.state() == LiveView.State.ACTIVE) view.terminated(null);
        view.display().updateNow();
    }

    /** Rows of a micro-batch from the live console sink; false if the query has no view. */
    boolean batch(String queryId, long batchId, StructType schema, List<Row> rows, boolean wholeTable, int numRows) {
        LiveView view = views.get(UUID.fromString(queryId));
        if (view == null) return false;
        view.batch(batchId, schema, rows, rows.size(), wholeTable, numRows);
        if (view.facts().continuous()) view.epoch(batchId, rows.size());
        view.display().changed();
        return true;
    }

    // --- drawing -----------------------------------------------------------------------

    /** Shows the view again in the calling cell (%stream show). */
    public void showHere(LiveView view, CellOutput cell) {
        view.display().showIn(cell);
    }

    /**
     * Shows the view's table as it is now in the calling cell (%stream show NAME --snapshot): without a display id,
     * so no update ever reaches it, and a notebook saved after Run All keeps the numbers of that step.
     */
    public void showSnapshotHere(LiveView view, CellOutput cell) {
        // the memory table is read after each batch on the live-views thread: read it now, so the copy is current;
        // a stopped view keeps its last table (a later query of the same name may have the table now)
        if (view.facts().readsMemoryTable() && view.state() == LiveView.State.ACTIVE) readMemoryTable(view);
        cell.display(LiveViewRenderer.snapshot(view));
    }

    /** Brings the view up to date now (the memory table read synchronously) and renders it. */
    public void refreshNow(LiveView view) {
        if (view.facts().readsMemoryTable()) readMemoryTable(view);
        view.display().updateNow();
    }

    private void readMemoryTable(LiveView view) {
        if (view.name() == null) return;
        try {
            Dataset<Row> table = spark.table("`" + view.name().replace("`", "``") + "`");
            long total = table.count();
            List<Row> rows = view.facts().wholeTable()
                    ? Arrays.asList((Row[]) table.take(maxRows))
                    : Arrays.asList((Row[]) table.tail(maxRows));
            view.table(table.schema(), rows, total, memorySinkBatch(view));
            view.display().changed();
        } catch (RuntimeException e) {
            log.println("could not read the memory table of " + view.label() + ": " + e);
        }
    }

    /** The latest batch the query's memory sink holds, read after its table (-1: not known, e.g. a stopped query). */
    private long memorySinkBatch(LiveView view) {
        StreamingQuery query = query(view);
        var execution = query == null ? null : StreamingQueries.execution(query);
        if (execution == null || !(execution.sink() instanceof MemorySink sink)) return -1;
        scala.Option<Object> latest = sink.latestBatchId();
        return latest.isDefined() ? (Long) latest.get() : -1;
    }

    private static String shortError(String exception) {
        String line = RuntimeErrors.firstLine(exception);
        // Spark prefixes its own wrapping: keep what the cause says
        int at = line.lastIndexOf("Caused by: ");
        return at >= 0 ? line.substring(at + 11) : line;
    }

    public void stop() {
        renderer.shutdownNow();
        if (current == this) current = null;
    }
}
