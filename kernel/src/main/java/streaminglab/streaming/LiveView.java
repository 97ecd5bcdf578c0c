package streaminglab.streaming;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import streaminglab.display.Table;
import streaminglab.output.CellOutput;
import streaminglab.output.UpdatingDisplay;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/**
 * What one streaming query looks like under the cell that started it: its state, its latest
 * progress and its result table. The table comes from the live console sink (rows of each
 * micro-batch) or from the memory sink's table. A foreachBatch query's batches are handed to the
 * student's own function, which Spark does not let the lab see: its view shows the recent batches
 * instead (from the query's progress). Other sinks show the header only.
 */
public final class LiveView {
    public enum State { ACTIVE, STOPPED, FAILED }

    private final UUID id;
    private final UUID runId;
    private final String name;
    private final CellOutput origin;
    private final QueryFacts facts;
    private final int maxRows;
    private final long startedAt = System.currentTimeMillis();

    private static final int KEEP_PROGRESS = 200;
    /** How many batches a foreachBatch query's view lists, newest first. */
    static final int RECENT_BATCHES = 20;
    private static final StructType BATCHES_SCHEMA = new StructType()
            .add("batch", DataTypes.LongType)
            .add("input rows", DataTypes.LongType)
            .add("processed rows/s", DataTypes.StringType)
            .add("duration ms", DataTypes.LongType)
            .add("time", DataTypes.StringType);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final Deque<StreamingQueryProgress> recent = new ArrayDeque<>();
    private volatile State state = State.ACTIVE;
    private volatile String error;
    /** What the lab sees wrong while the query runs (its source does not answer), or null. */
    private volatile String warning;
    private volatile StreamingQueryProgress lastProgress;
    private volatile long batches;
    private volatile long inputRowsSoFar;
    /** Continuous queries: Spark reports no progress for them, so the lab notes each committed epoch itself. */
    private final Deque<Epoch> epochs = new ArrayDeque<>();

    // the table: a whole result (complete mode) or the latest rows with a running total (append, update)
    private StructType schema;
    private final Deque<Row> latestRows = new ArrayDeque<>();
    private long rowsInTable;
    private long lastBatchId = -1;
    private int shownRows;

    /** Where the view is drawn: under the cell that started the query, updated in place. */
    private UpdatingDisplay display;

    LiveView(UUID id, UUID runId, String name, CellOutput origin, QueryFacts facts, int maxRows) {
        this.id = id;
        this.runId = runId;
        this.name = name;
        this.origin = origin;
        this.facts = facts;
        this.maxRows = maxRows;
    }

    /** By run: a query restarted from its checkpoint keeps its id, and its earlier view keeps its last state. */
    String displayId() {
        return "live-view-" + runId;
    }

    void drawnBy(UpdatingDisplay display) {
        this.display = display;
    }

    UpdatingDisplay display() {
        return display;
    }

    public UUID id() {
        return id;
    }

    public UUID runId() {
        return runId;
    }

    /** The query's name, or the first part of its id when it has none. */
    public String label() {
        return name != null && !name.isEmpty() ? name : id.toString().substring(0, 8);
    }

    public String name() {
        return name;
    }

    public CellOutput origin() {
        return origin;
    }

    public QueryFacts facts() {
        return facts;
    }

    public State state() {
        return state;
    }

    public String error() {
        return error;
    }

    public StreamingQueryProgress lastProgress() {
        return lastProgress;
    }

    public long batches() {
        return batches;
    }

    public long startedAt() {
        return startedAt;
    }

    void progress(StreamingQueryProgress progress) {
        lastProgress = progress;
        batches++;
        inputRowsSoFar += Math.max(0, progress.numInputRows());
        synchronized (recent) {
            recent.addLast(progress);
            if (recent.size() > KEEP_PROGRESS) recent.removeFirst();
        }
    }

    /** An epoch of a continuous query was committed; rows is what the console sink got, or -1 when unknown. */
    void epoch(long epochId, long rows) {
        synchronized (epochs) {
            Epoch last = epochs.peekLast();
            if (last != null && last.id() >= epochId) {
                if (last.id() == epochId && last.rows() < 0 && rows >= 0) {
                    epochs.removeLast();
                    epochs.addLast(new Epoch(epochId, last.committedAt(), rows));
                }
                return;
            }
            epochs.addLast(new Epoch(epochId, System.currentTimeMillis(), rows));
            if (epochs.size() > KEEP_PROGRESS) epochs.removeFirst();
            batches += last == null ? 1 : epochId - last.id(); // the commit log may be read after several epochs

        }
    }

    /** The latest committed epochs of a continuous query, oldest first. */
    public List<Epoch> recentEpochs() {
        synchronized (epochs) {
            return new ArrayList<>(epochs);
        }
    }

    public Epoch lastEpoch() {
        synchronized (epochs) {
            return epochs.peekLast();
        }
    }

    /** An epoch of a continuous query: its id, when the lab saw it committed, its rows (-1: unknown). */
    public record Epoch(long id, long committedAt, long rows) {
    }

    /** The latest progress reports, oldest first (kept after the query ends, unlike Spark's). */
    public List<StreamingQueryProgress> recentProgress() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public String warning() {
        return state == State.ACTIVE ? warning : null;
    }

    /** Says (or, with null, stops saying) what the lab sees wrong; true when that changed what the view shows. */
    boolean warn(String text) {
        if (java.util.Objects.equals(warning, text)) return false;
        warning = text;
        return true;
    }

    void terminated(String errorMessage) {
        if (errorMessage != null) {
            state = State.FAILED;
            error = errorMessage;
        } else {
            state = State.STOPPED;
        }
    }

    /** A micro-batch's rows from the live console sink. */
    synchronized void batch(long batchId, StructType batchSchema, List<Row> rows, long totalInBatch, boolean wholeTable,
                            int showRows) {
        schema = batchSchema;
        shownRows = Math.max(1, Math.min(showRows, maxRows));
        lastBatchId = batchId;
        if (wholeTable) {
            latestRows.clear();
            rowsInTable = totalInBatch;
        } else {
            rowsInTable += totalInBatch;
        }
        for (Row r : rows) {
            latestRows.addLast(r);
            if (latestRows.size() > shownRows) latestRows.removeFirst();
        }
        if (wholeTable) {
            while (latestRows.size() > shownRows) latestRows.removeLast();
        }
    }

    /** The memory sink's whole table, read after a batch; batchId: the sink's latest batch then (-1: unknown). */
    synchronized void table(StructType tableSchema, List<Row> rows, long total, long batchId) {
        schema = tableSchema;
        shownRows = maxRows;
        latestRows.clear();
        latestRows.addAll(rows);
        rowsInTable = total;
        if (batchId >= 0) lastBatchId = batchId;
    }

    /** A copy of the table to render, or null when the sink gives none. */
    synchronized Table snapshot() {
        if (facts.handsBatchesToCode()) return recentBatches();
        if (schema == null) return null;
        return new Table(schema, new ArrayList<>(latestRows), rowsInTable);
    }

    /** The table to render and the micro-batch (or epoch) it is as of, read together; batch -1: not known. */
    record Frozen(Table table, long batch) {
    }

    /** The table as it is now, with the batch it is as of: what %stream show --snapshot shows. */
    synchronized Frozen frozen() {
        Table table = snapshot();
        long batch = lastBatchId;
        if (facts.handsBatchesToCode() || batch < 0) {
            // the table comes from the query's progress (foreachBatch), or the sink tells no batch: the latest report
            if (facts.continuous()) {
                Epoch e = lastEpoch();
                batch = e == null ? -1 : e.id();
            } else {
                StreamingQueryProgress p = lastProgress;
                batch = p == null ? -1 : p.batchId();
            }
        }
        return new Frozen(table, batch);
    }

    /** The latest batches from the query's progress, newest first; null before the first. */
    private Table recentBatches() {
        List<StreamingQueryProgress> all = recentProgress();
        if (all.isEmpty()) return null;
        List<Row> rows = new ArrayList<>();
        long seenBatch = Long.MIN_VALUE;
        for (int i = all.size() - 1; i >= 0 && rows.size() < RECENT_BATCHES; i--) {
            StreamingQueryProgress p = all.get(i);
            if (p.batchId() == seenBatch) continue; // one line per batch, should Spark report one twice
            seenBatch = p.batchId();
            Long duration = p.durationMs().get("triggerExecution");
            rows.add(RowFactory.create(p.batchId(), p.numInputRows(), LiveViewRenderer.rate(p.processedRowsPerSecond()),
                    duration, clock(p.timestamp())));
        }
        return new Table(BATCHES_SCHEMA, rows, Math.max(rows.size(), batches));
    }

    private static String clock(String isoTimestamp) {
        try {
            return CLOCK.format(Instant.parse(isoTimestamp).atZone(ZoneId.systemDefault()));
        } catch (RuntimeException e) {
            return String.valueOf(isoTimestamp);
        }
    }

    /**
     * Complete mode: rows in the result table; append and update: a running total of the rows written. A sink the
     * lab cannot read (foreachBatch, Kafka, files): a running total of the input rows.
     */
    synchronized long rowsInTable() {
        return facts.showsRows() ? rowsInTable : inputRowsSoFar;
    }

    synchronized long lastBatchId() {
        return lastBatchId;
    }

    /**
     * Facts about the query as Spark started it: sink, output mode, trigger, checkpoint, and where its sources read
     * ("socket localhost:9999", see {@link StreamingQueries#sourceAddresses}; a failed query is gone from Spark when
     * its view explains the failure).
     */
    public record QueryFacts(SinkKind sinkKind, String sink, String outputMode, String trigger, String checkpoint,
                             List<String> sources) {
        /** Facts of a query the lab cannot look into. */
        static final QueryFacts UNKNOWN = new QueryFacts(SinkKind.OTHER, "?", "?", "?", null, List.of());

        QueryFacts(SinkKind sinkKind, String sink, String outputMode, String trigger, String checkpoint) {
            this(sinkKind, sink, outputMode, trigger, checkpoint, List.of());
        }

        static QueryFacts of(StreamingQuery query) {
            var execution = StreamingQueries.execution(query);
            if (execution == null) return UNKNOWN;
            return new QueryFacts(SinkKind.of(execution), SinkKind.name(execution), String.valueOf(execution.outputMode()),
                    StreamingQueries.triggerName(execution.trigger()), execution.resolvedCheckpointRoot(),
                    StreamingQueries.sourceAddresses(execution));
        }

        public boolean wholeTable() {
            return "Complete".equalsIgnoreCase(outputMode);
        }

        /** Sinks whose rows the view shows: the live console sink and the memory sink. */
        public boolean showsRows() {
            return sinkKind == SinkKind.CONSOLE || sinkKind == SinkKind.MEMORY;
        }

        /** foreachBatch: each batch goes to the student's function, which Spark does not let the lab see. */
        public boolean handsBatchesToCode() {
            return sinkKind == SinkKind.FOREACH_BATCH;
        }

        /** The memory sink: the view reads its table (named after the query) after each batch. */
        public boolean readsMemoryTable() {
            return sinkKind == SinkKind.MEMORY;
        }

        public boolean continuous() {
            return trigger.startsWith("continuous");
        }
    }
}
