package streaminglab.kafka;

import streaminglab.language.Messages;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code %kafka consume}: the records already in a topic, as a table. It reads by offset (no
 * consumer group, nothing committed) and stops at the end offsets it saw when it began: it
 * never waits for new records.
 */
final class TopicReader {
    private final KafkaCluster cluster;
    private final Topics topics;

    TopicReader(KafkaCluster cluster, Topics topics) {
        this.cluster = cluster;
        this.topics = topics;
    }

    DisplayData consume(String topic, boolean fromBeginning, int max) throws KafkaError, InterruptedException {
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicPartitionInfo p : topics.describeAll(List.of(topic)).get(topic).partitions()) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        Map<TopicPartition, long[]> offsets = topics.offsets(partitions, topic);
        long total = 0;
        Map<TopicPartition, long[]> ranges = new HashMap<>(); // [from, until) per partition
        for (TopicPartition tp : partitions) {
            long start = offsets.get(tp)[0];
            long end = offsets.get(tp)[1];
            total += end - start;
            long from = fromBeginning ? start : Math.max(start, end - max);
            long until = fromBeginning ? Math.min(end, start + max) : end;
            if (from < until) ranges.put(tp, new long[]{from, until});
        }
        List<ConsumerRecord<byte[], byte[]>> records = read(ranges);
        Comparator<ConsumerRecord<byte[], byte[]>> order = Comparator
                .comparingLong((ConsumerRecord<byte[], byte[]> r) -> r.timestamp())
                .thenComparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset);
        records.sort(order);
        if (records.size() > max) {
            records = fromBeginning ? records.subList(0, max) : records.subList(records.size() - max, records.size());
        }
        List<Row> rows = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            rows.add(KafkaTables.row(text(r.key()), text(r.value()), r.partition(), r.offset(), new Timestamp(r.timestamp())));
        }
        KafkaTables.Columns columns = new KafkaTables.Columns()
                .add("key", DataTypes.StringType)
                .add("value", DataTypes.StringType)
                .add("partition", DataTypes.IntegerType)
                .add("offset", DataTypes.LongType)
                .add("timestamp", DataTypes.TimestampType);
        String note;
        if (total == 0) {
            note = Messages.text("topics.no_records", topic);
        } else if (fromBeginning) {
            note = Messages.text("topics.first", KafkaTables.count(rows.size()), KafkaTables.count(total), topic);
        } else {
            note = Messages.text("topics.newest", KafkaTables.count(rows.size()), KafkaTables.count(total), topic,
                    rows.size() < total ? Messages.text("topics.newest.more") : ".");
        }
        return KafkaTables.table(columns, rows, Math.max(total, rows.size()), note);
    }

    /** Reads each partition's [from, until) range, within the request timeout. */
    private List<ConsumerRecord<byte[], byte[]>> read(Map<TopicPartition, long[]> ranges) throws KafkaError, InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        if (ranges.isEmpty()) return out;
        Map<String, Object> config = cluster.consumerConfig("spark-streaming-lab-consume");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(ranges.keySet());
            ranges.forEach((tp, range) -> consumer.seek(tp, range[0]));
            Map<TopicPartition, long[]> open = new HashMap<>(ranges);
            long deadline = System.nanoTime() + cluster.requestTimeout().toNanos();
            while (!open.isEmpty()) {
                if (Thread.interrupted()) throw new InterruptedException();
                if (System.nanoTime() > deadline) throw cluster.timedOut(Messages.text("kafka.doing.read_records"));
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    long[] range = ranges.get(new TopicPartition(r.topic(), r.partition()));
                    if (range != null && r.offset() < range[1]) out.add(r);
                }
                open.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue()[1]);
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            throw new InterruptedException("interrupted while reading records");
        }
        return out;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
