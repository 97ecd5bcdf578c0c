package streaminglab.kafka;

import streaminglab.language.Messages;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Plain words for a streaming query that failed because of Kafka, shown in its live view under Spark's
 * own line. Spark says "Timed out waiting for a node assignment" or "This server does not host this
 * topic-partition"; a student needs to read that the broker is gone or the topic was deleted, and what
 * brings the query back.
 */
final class QueryFailureAdvice {
    /** Spark's Kafka source on offsets it can no longer find: a partition gone, or its offsets gone back. */
    private static final Pattern DATA_LOSS = Pattern.compile(
            "Set\\([^)]*\\) are gone|Partition \\S+'s offset was changed from|Partitions? \\S+ (?:are|is) gone");
    private static final Pattern PARTITION = Pattern.compile("([A-Za-z0-9._-]+)-\\d+");

    private final KafkaCluster cluster;
    private final Topics topics;

    QueryFailureAdvice(KafkaCluster cluster) {
        this.cluster = cluster;
        this.topics = new Topics(cluster);
    }

    /** The advice for Spark's whole error text, or null when the failure is not about Kafka. */
    String explain(String error, String checkpoint) {
        if (error == null) return null;
        Matcher lost = DATA_LOSS.matcher(error);
        boolean offsetsGone = lost.find();
        if (offsetsGone || error.contains("UnknownTopicOrPartitionException") || error.contains("failOnDataLoss")) {
            return topicGone(offsetsGone ? topicOf(lost.group()) : null, checkpoint);
        }
        boolean unreachable = error.contains("org.apache.kafka.common.errors.TimeoutException")
                || error.contains("Timed out waiting for a node assignment")
                || error.contains("org.apache.kafka.common.errors.DisconnectException")
                || error.contains("Cannot fetch record for offset");
        if (!unreachable) return null;
        String where = cluster.bootstrap();
        if (cluster.reachable()) {
            return Messages.text("advice.kafka_slow", where, Messages.text("advice.restart"));
        }
        if (cluster.isExternal()) {
            return Messages.text("advice.kafka_external_silent", where, Messages.text("advice.restart"));
        }
        return Messages.text("advice.kafka_gone", where, cluster.embeddedNote(), Messages.text("advice.restart"));
    }

    /**
     * What to do when nothing answers at the bootstrap servers a running query was given: start the lab's broker
     * when that is its address, else the address the notebook's Kafka has.
     */
    String silentServers(String servers) {
        if (cluster.isExternal()) {
            return sameServers(servers, cluster.bootstrap())
                    ? Messages.text("advice.kafka_silent.external") : Messages.text("advice.kafka_silent.elsewhere", cluster.bootstrap());
        }
        if (sameServers(servers, cluster.bootstrap())) return Messages.text("advice.kafka_silent.embedded", cluster.embeddedNote());
        return Messages.text("advice.kafka_silent.elsewhere", cluster.bootstrap());
    }

    /** Whether two host:port lists name the same servers ("localhost" and "127.0.0.1" are one machine). */
    private static boolean sameServers(String a, String b) {
        return normalized(a).equals(normalized(b));
    }

    private static Set<String> normalized(String servers) {
        Set<String> set = new TreeSet<>();
        for (String server : servers.split(",")) {
            String s = server.trim().toLowerCase(java.util.Locale.ROOT);
            int colon = s.lastIndexOf(':');
            String host = colon < 0 ? s : s.substring(0, colon);
            if (host.equals("localhost") || host.equals("::1") || host.equals("[::1]") || host.startsWith("127.")) host = "127.0.0.1";
            set.add(colon < 0 ? host : host + s.substring(colon));
        }
        return set;
    }

    private String topicGone(String named, String checkpoint) {
        Set<String> read = checkpoint == null ? Set.of() : topicsRead(checkpoint);
        Set<String> missing = new TreeSet<>(read);
        try {
            missing.removeAll(topics.names());
        } catch (KafkaError | RuntimeException e) {
            missing.clear(); // Kafka does not answer: say less rather than guess
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            missing.clear();
        }
        String what;
        if (!missing.isEmpty()) {
            what = Messages.text("advice.topic_deleted", String.join(", ", missing));
        } else if (named != null) {
            what = Messages.text("advice.topic_remade", named);
        } else {
            what = Messages.text("advice.a_topic_deleted");
        }
        String clear = checkpoint == null ? "%checkpoint clear DIR" : "%checkpoint clear " + pathOf(checkpoint);
        String create = missing.size() == 1 ? "%kafka create " + missing.iterator().next() : "%kafka create TOPIC";
        return Messages.text("advice.offsets_gone", what, create, clear);
    }

    /** The topics in the newest offsets file of a local checkpoint (Spark writes one JSON line per source). */
    private static Set<String> topicsRead(String checkpoint) {
        Set<String> found = new TreeSet<>();
        Path offsets = pathOf(checkpoint).resolve("offsets");
        try (Stream<Path> files = Files.list(offsets)) {
            Path newest = files.filter(f -> f.getFileName().toString().matches("\\d+"))
                    .max((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()), Long.parseLong(b.getFileName().toString())))
                    .orElse(null);
            if (newest == null) return found;
            List<String> lines = new ArrayList<>(Files.readAllLines(newest));
            for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
                try {
                    JsonElement source = JsonParser.parseString(line);
                    if (source.isJsonObject()) found.addAll(source.getAsJsonObject().keySet());
                } catch (RuntimeException notKafka) {
                    // another source's offset (a number, a file log entry): not a topic
                }
            }
        } catch (IOException | RuntimeException e) {
            // not a local checkpoint, or not there: the advice names no topic
        }
        return found;
    }

    /** The topic in a partition name such as "people-2" or "Set(people-0, people-1)". */
    private static String topicOf(String partitions) {
        Matcher m = PARTITION.matcher(partitions);
        return m.find() ? m.group(1) : null;
    }

    private static Path pathOf(String checkpoint) {
        return checkpoint.startsWith("file:") ? Path.of(URI.create(checkpoint)) : Path.of(checkpoint);
    }
}
