package streaminglab.streaming;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.streaming.SparkDataStream;
import org.apache.spark.sql.execution.streaming.StreamExecution;
import org.apache.spark.sql.streaming.StreamingQuery;
import scala.collection.JavaConverters;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Makes {@code query.stop()} (and {@code %stream stop}) return within seconds when the query's Kafka source
 * waits for a broker that does not answer. Stopping interrupts the query's thread, which then closes its
 * sources; the Kafka source's admin client, closing, waits for its requests in flight to time out on their
 * own (default.api.timeout.ms, a minute). Once a query has been stopping for a moment, the lab closes that
 * admin client at once, which fails those requests: they would only have fetched offsets for a batch that
 * will never run, so nothing the checkpoint keeps changes.
 */
final class PromptStop {
    /** How long a query may take to stop on its own before its Kafka admin clients are closed at once. */
    private static final long GRACE_MS = 1000;

    private final SparkSession spark;
    private final PrintStream log;
    private final Map<UUID, Long> stoppingSince = new HashMap<>();
    private final Set<UUID> helped = new HashSet<>();

    PromptStop(SparkSession spark, PrintStream log) {
        this.spark = spark;
        this.log = log;
    }

    /** Called every second or so, on one thread. */
    void tick() {
        long now = System.currentTimeMillis();
        Set<UUID> stopping = new HashSet<>();
        for (StreamingQuery query : spark.streams().active()) {
            // stop() marks the query terminated at once; it stays among the active ones until its thread ends
            if (query.isActive()) continue;
            UUID run = query.runId();
            stopping.add(run);
            long since = stoppingSince.computeIfAbsent(run, r -> now);
            if (now - since >= GRACE_MS && helped.add(run)) closeKafkaAdmins(query);
        }
        stoppingSince.keySet().retainAll(stopping);
        helped.retainAll(stopping);
    }

    private void closeKafkaAdmins(StreamingQuery query) {
        StreamExecution execution = StreamingQueries.execution(query);
        if (execution == null) return;
        for (SparkDataStream source : JavaConverters.mapAsJavaMap(execution.uniqueSources()).keySet()) {
            Object admin = kafkaAdmin(source);
            if (!(admin instanceof org.apache.kafka.clients.admin.Admin)) continue;
            log.println("query " + query.name() + " still stopping after " + GRACE_MS + " ms: closing its Kafka admin client now");
            try {
                // the earliest deadline of two closes wins: the source's own close returns now too
                ((org.apache.kafka.clients.admin.Admin) admin).close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.println("could not close the Kafka admin client of " + query.name() + ": " + e);
            }
        }
    }

    /** The admin client of Spark's Kafka micro-batch source (KafkaOffsetReaderAdmin._admin), or null. */
    private static Object kafkaAdmin(SparkDataStream source) {
        if (!source.getClass().getName().equals("org.apache.spark.sql.kafka010.KafkaMicroBatchStream")) return null;
        try {
            Field field = source.getClass().getDeclaredField("kafkaOffsetReader");
            field.setAccessible(true);
            Object reader = field.get(source);
            return reader == null ? null : reader.getClass().getMethod("_admin").invoke(reader);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another Spark version, or the consumer-based reader: nothing the lab can help with
        }
    }
}
