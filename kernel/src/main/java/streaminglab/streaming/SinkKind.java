package streaminglab.streaming;

import org.apache.spark.sql.execution.streaming.StreamExecution;

/** The kinds of sink a query may write to, as far as its live view cares: whose rows it can show. */
enum SinkKind {
    /** The live console sink (or Spark's own console sink): the view gets each micro-batch's rows. */
    CONSOLE("console"),
    /** The memory sink: the view reads its table after each batch. */
    MEMORY("memory"),
    /** foreachBatch: each batch goes to the student's function, which Spark does not let the lab see. */
    FOREACH_BATCH("foreachBatch"),
    FOREACH("foreach"),
    KAFKA("kafka"),
    FILE("file"),
    /** A sink the lab does not know (its name is Spark's), or an unknown one ("?"). */
    OTHER("?");

    private final String word;

    SinkKind(String word) {
        this.word = word;
    }

    /** The sink's name as Spark's option spells it (format("memory")). */
    String word() {
        return word;
    }

    static SinkKind of(StreamExecution execution) {
        String cls = execution.sink().getClass().getSimpleName();
        if (execution.sink() instanceof LiveConsoleSink) return CONSOLE;
        if (cls.startsWith("MemorySink")) return MEMORY;
        if (cls.contains("ForeachBatch")) return FOREACH_BATCH;
        if (cls.contains("Foreach")) return FOREACH;
        if (cls.startsWith("Kafka")) return KAFKA;
        if (cls.startsWith("FileStreamSink")) return FILE;
        if (cls.startsWith("Console")) return CONSOLE;
        return OTHER;
    }

    /** What the view calls the sink: the kind's word, or for an unknown sink Spark's own name for it. */
    static String name(StreamExecution execution) {
        SinkKind kind = of(execution);
        if (kind != OTHER) return kind.word;
        String sink = execution.sink().toString();
        return sink.length() > 40 ? execution.sink().getClass().getSimpleName() : sink;
    }
}
