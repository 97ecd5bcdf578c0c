package streaminglab.streaming;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.streaming.StreamingRelationV2;
import scala.collection.JavaConverters;
import org.apache.spark.sql.execution.streaming.StreamExecution;
import org.apache.spark.sql.execution.streaming.StreamingQueryWrapper;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What Spark knows about a running query but does not put in its public API. */
public final class StreamingQueries {
    private StreamingQueries() {
    }

    static StreamExecution execution(StreamingQuery query) {
        if (query instanceof StreamingQueryWrapper) return ((StreamingQueryWrapper) query).streamingQuery();
        if (query instanceof StreamExecution) return (StreamExecution) query;
        return null;
    }

    static String triggerName(Trigger trigger) {
        String t = String.valueOf(trigger);
        if (t.startsWith("ProcessingTimeTrigger(0")) return "default (as soon as possible)";
        if (t.startsWith("ProcessingTimeTrigger(")) return "processing time " + t.replaceAll("\\D+", "") + " ms";
        if (t.contains("AvailableNow")) return "available-now";
        if (t.contains("OneTime")) return "once";
        if (t.startsWith("ContinuousTrigger(")) return "continuous " + t.replaceAll("\\D+", "") + " ms";
        return t;
    }

    /** How many sources of active queries read the text socket on this port (of this machine). */
    /** Where the query's socket and Kafka sources read, as "socket HOST:PORT" and "kafka SERVERS", from the plan as started. */
    static List<String> sourceAddresses(StreamExecution e) {
        List<String> found = new ArrayList<>();
        for (LogicalPlan leaf : JavaConverters.seqAsJavaList(e.analyzedPlan().collectLeaves())) {
            if (!(leaf instanceof StreamingRelationV2)) continue;
            StreamingRelationV2 relation = (StreamingRelationV2) leaf;
            var options = relation.extraOptions();
            if (relation.sourceName().equalsIgnoreCase("socket") && options.get("host") != null) {
                found.add("socket " + options.get("host").trim() + ":" + String.valueOf(options.get("port")).trim());
            } else if (relation.sourceName().equalsIgnoreCase("kafka") && options.get("kafka.bootstrap.servers") != null
                    && !options.get("kafka.bootstrap.servers").isBlank()) {
                found.add("kafka " + options.get("kafka.bootstrap.servers").trim());
            }
        }
        return List.copyOf(found);
    }

    public static int socketReaders(SparkSession spark, int port) {
        int readers = 0;
        for (StreamingQuery q : spark.streams().active()) {
            StreamExecution e = execution(q);
            if (e == null) continue;
            for (LogicalPlan leaf : JavaConverters.seqAsJavaList(e.analyzedPlan().collectLeaves())) {
                if (!(leaf instanceof StreamingRelationV2)) continue;
                StreamingRelationV2 relation = (StreamingRelationV2) leaf;
                if (relation.sourceName().equalsIgnoreCase("socket")
                        && String.valueOf(port).equals(relation.extraOptions().get("port"))) {
                    readers++;
                }
            }
        }
        return readers;
    }

    /** The active query that uses a checkpoint directory, if any. */
    static Optional<StreamingQuery> usingCheckpoint(SparkSession spark, Path dir) {
        Path wanted = normalize(dir.toString());
        for (StreamingQuery q : spark.streams().active()) {
            StreamExecution e = execution(q);
            if (e != null && normalize(e.resolvedCheckpointRoot()).equals(wanted)) return Optional.of(q);
        }
        return Optional.empty();
    }

    static Path normalize(String location) {
        String path = location.startsWith("file:") ? java.net.URI.create(location).getPath() : location;
        return Paths.get(path).toAbsolutePath().normalize();
    }
}
