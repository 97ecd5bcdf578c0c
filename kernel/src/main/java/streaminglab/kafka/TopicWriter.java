package streaminglab.kafka;

import streaminglab.language.Messages;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code %%kafka produce TOPIC}: each line of the cell becomes one record, sent and acknowledged before the cell ends. */
final class TopicWriter {
    private final KafkaCluster cluster;
    private final Topics topics;

    TopicWriter(KafkaCluster cluster, Topics topics) {
        this.cluster = cluster;
        this.topics = topics;
    }

    /** One line as a record: the key before the first separator (none without one), the value after it. */
    record Line(String key, String value) {
        static Line parse(String line, String separator) {
            int at = line.indexOf(separator);
            return at < 0 ? new Line(null, line) : new Line(line.substring(0, at), line.substring(at + separator.length()));
        }
    }

    /** The non-blank lines of a cell body as records. */
    static List<Line> lines(String body, String separator) {
        List<Line> lines = new ArrayList<>();
        for (String raw : body.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (!line.isBlank()) lines.add(Line.parse(line, separator));
        }
        return lines;
    }

    String send(String topic, List<Line> lines) throws KafkaError, InterruptedException {
        String created = topics.ensure(topic);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        Map<Integer, long[]> offsets = new TreeMap<>(); // partition -> [first, last]
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cluster.producerConfig("spark-streaming-lab-produce"),
                new StringSerializer(), new StringSerializer())) {
            for (Line line : lines) sent.add(producer.send(new ProducerRecord<>(topic, line.key(), line.value())));
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(cluster.requestTimeout().toSeconds() * 3 + 2);
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m;
                try {
                    m = sent.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof RecordTooLargeException) throw tooLarge(topic, i, lines, sent, deadline);
                    // the records after this one were sent too and may have arrived: count them all
                    throw new KafkaError("KafkaProduceFailed", Messages.text("topics.produce_failed",
                            reached(sent, deadline), lines.size(), topic, i + 1, cause.getMessage()));
                }
                offsets.merge(m.partition(), new long[]{m.offset(), m.offset()},
                        (a, b) -> new long[]{Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            throw new InterruptedException("interrupted while sending records");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new KafkaError("KafkaProduceFailed", Messages.text("topics.send_failed", topic, e.getMessage()), e);
        }
        List<String> where = new ArrayList<>();
        offsets.forEach((p, o) -> where.add(o[0] == o[1] ? Messages.text("topics.sent.partition", p, o[0])
                : Messages.text("topics.sent.partition_range", p, o[0], o[1])));
        return (created == null ? "" : created + " ") + Messages.text("topics.sent", lines.size(),
                Topics.recordWord(lines.size()), topic, String.join(", ", where));
    }

    /** A record larger than Kafka takes: which one, how large, the limit, and how many others arrived. */
    private KafkaError tooLarge(String topic, int record, List<Line> lines, List<Future<RecordMetadata>> sent, long deadline) {
        int reached = reached(sent, deadline);
        Line line = lines.get(record);
        long bytes = line.value().getBytes(StandardCharsets.UTF_8).length;
        String limit = cluster.isExternal()
                ? Messages.text("topics.too_large.cluster_limit")
                : Messages.text("topics.too_large.lab_limit", megabytes(KafkaCluster.MAX_RECORD_BYTES));
        return new KafkaError("KafkaRecordTooLarge", Messages.text("topics.too_large",
                record + 1, megabytes(bytes), limit, reached, lines.size(), topic));
    }

    /** How many of the sends Kafka acknowledged (waiting until the deadline for the ones still open). */
    private static int reached(List<Future<RecordMetadata>> sent, long deadline) {
        int reached = 0;
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                reached++;
            } catch (ExecutionException | TimeoutException | InterruptedException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            }
        }
        return reached;
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }
}
