package streaminglab.kafka;

import streaminglab.language.Messages;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Topics of the cluster: list, create, delete, describe with offsets (what {@code %kafka topics} and friends show). */
final class Topics {
    /** After a create or delete, how long to wait until the broker's metadata shows it (KRaft applies it asynchronously). */
    private static final long SETTLE_MS = 5000;

    private final KafkaCluster cluster;

    Topics(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    /** The topic names, sorted, without Kafka's internal ones. */
    Set<String> names() throws KafkaError, InterruptedException {
        return new TreeSet<>(cluster.await(cluster.admin().listTopics().names(), Messages.text("kafka.doing.list_topics"), null));
    }

    boolean exists(String topic) throws KafkaError, InterruptedException {
        return names().contains(topic);
    }

    /** Partitions and records (end minus start offsets) of every topic, by name. */
    Map<String, long[]> sizes() throws KafkaError, InterruptedException {
        Set<String> names = names();
        Map<String, long[]> sizes = new TreeMap<>();
        if (names.isEmpty()) return sizes;
        Map<String, TopicDescription> described = describeAll(names);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription d : described.values()) {
            for (TopicPartitionInfo p : d.partitions()) partitions.add(new TopicPartition(d.name(), p.partition()));
        }
        Map<TopicPartition, long[]> offsets = offsets(partitions, null);
        for (TopicDescription d : described.values()) {
            long records = 0;
            for (TopicPartitionInfo p : d.partitions()) {
                long[] o = offsets.get(new TopicPartition(d.name(), p.partition()));
                if (o != null) records += o[1] - o[0];
            }
            sizes.put(d.name(), new long[]{d.partitions().size(), records});
        }
        return sizes;
    }

    DisplayData list() throws KafkaError, InterruptedException {
        Map<String, long[]> sizes = sizes();
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : sizes.entrySet()) {
            rows.add(KafkaTables.row(e.getKey(), (int) e.getValue()[0], e.getValue()[1]));
        }
        KafkaTables.Columns columns = new KafkaTables.Columns()
                .add("topic", DataTypes.StringType)
                .add("partitions", DataTypes.IntegerType)
                .add("records", DataTypes.LongType);
        String note = rows.isEmpty() ? Messages.text("topics.none_yet", cluster.bootstrap()) : null;
        return KafkaTables.table(columns, rows, rows.size(), note);
    }

    String create(String topic, int partitions) throws KafkaError, InterruptedException {
        Admin admin = cluster.admin();
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty());
        cluster.await(admin.createTopics(List.of(newTopic)).all(), Messages.text("kafka.doing.create_topic", topic), topic);
        settle(topic, true);
        return Messages.text("topics.created", topic, partitions, partitionWord(partitions), cluster.bootstrap());
    }

    /** Creates the topic with the cluster's defaults unless it exists; returns a note when it made it, else null. */
    String ensure(String topic) throws KafkaError, InterruptedException {
        if (exists(topic)) return null;
        Admin admin = cluster.admin();
        try {
            cluster.await(admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all(),
                    Messages.text("kafka.doing.create_topic", topic), topic);
        } catch (KafkaError e) {
            if (!"TopicExists".equals(e.name())) throw e; // made meanwhile by someone else: fine
        }
        settle(topic, true);
        return Messages.text("topics.created_short", topic);
    }

    /** Deletes the topic; a missing one is an error unless ifExists (then it says there was nothing to delete). */
    String delete(String topic, boolean ifExists) throws KafkaError, InterruptedException {
        Admin admin = cluster.admin();
        Map<String, long[]> sizes = sizes();
        if (ifExists && !sizes.containsKey(topic)) {
            return Messages.text("topics.nothing_to_delete", topic, cluster.bootstrap());
        }
        long records = sizes.getOrDefault(topic, new long[]{0, 0})[1];
        try {
            cluster.await(admin.deleteTopics(List.of(topic)).all(), Messages.text("kafka.doing.delete_topic", topic), topic);
        } catch (KafkaError e) {
            if (!ifExists || !"TopicNotFound".equals(e.name())) throw e;
            return Messages.text("topics.nothing_to_delete", topic, cluster.bootstrap()); // deleted meanwhile
        }
        settle(topic, false);
        return Messages.text("topics.deleted", topic, KafkaTables.count(records), recordWord(records));
    }

    DisplayData describe(String topic) throws KafkaError, InterruptedException {
        TopicDescription d = describeAll(List.of(topic)).get(topic);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicPartitionInfo p : d.partitions()) partitions.add(new TopicPartition(topic, p.partition()));
        Map<TopicPartition, long[]> offsets = offsets(partitions, topic);
        List<Row> rows = new ArrayList<>();
        long total = 0;
        for (TopicPartitionInfo p : d.partitions()) {
            long[] o = offsets.get(new TopicPartition(topic, p.partition()));
            long start = o == null ? 0 : o[0];
            long end = o == null ? 0 : o[1];
            total += end - start;
            String leader = p.leader() == null || p.leader().isEmpty() ? "none" : String.valueOf(p.leader().id());
            rows.add(KafkaTables.row(p.partition(), leader, start, end, end - start));
        }
        KafkaTables.Columns columns = new KafkaTables.Columns()
                .add("partition", DataTypes.IntegerType)
                .add("leader", DataTypes.StringType)
                .add("start_offset", DataTypes.LongType)
                .add("end_offset", DataTypes.LongType)
                .add("records", DataTypes.LongType);
        String note = Messages.text("topics.described", topic, d.partitions().size(), partitionWord(d.partitions().size()),
                KafkaTables.count(total), recordWord(total));
        return KafkaTables.table(columns, rows, rows.size(), note);
    }

    Map<String, TopicDescription> describeAll(Collection<String> topics) throws KafkaError, InterruptedException {
        String what = topics.size() == 1 ? Messages.text("kafka.doing.describe_topic", topics.iterator().next()) : Messages.text("kafka.doing.describe_topics");
        String topic = topics.size() == 1 ? topics.iterator().next() : null;
        return cluster.await(cluster.admin().describeTopics(topics).allTopicNames(), what, topic);
    }

    /** [start, end] offsets of each partition. */
    Map<TopicPartition, long[]> offsets(Collection<TopicPartition> partitions, String topic) throws KafkaError, InterruptedException {
        Map<TopicPartition, long[]> out = new HashMap<>();
        if (partitions.isEmpty()) return out;
        Admin admin = cluster.admin();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartition tp : partitions) {
            earliest.put(tp, OffsetSpec.earliest());
            latest.put(tp, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                cluster.await(admin.listOffsets(earliest).all(), Messages.text("kafka.doing.read_start_offsets"), topic);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                cluster.await(admin.listOffsets(latest).all(), Messages.text("kafka.doing.read_end_offsets"), topic);
        for (TopicPartition tp : partitions) {
            long start = starts.containsKey(tp) ? starts.get(tp).offset() : 0;
            long end = ends.containsKey(tp) ? ends.get(tp).offset() : start;
            out.put(tp, new long[]{start, end});
        }
        return out;
    }

    /** Waits (briefly) until the topic is listed with leaders, or is gone. */
    private void settle(String topic, boolean present) throws KafkaError, InterruptedException {
        long deadline = System.currentTimeMillis() + SETTLE_MS;
        while (System.currentTimeMillis() < deadline) {
            boolean listed = names().contains(topic);
            if (listed == present) {
                if (!present || hasLeaders(topic)) return;
            }
            Thread.sleep(50);
        }
    }

    private boolean hasLeaders(String topic) throws InterruptedException {
        try {
            TopicDescription d = describeAll(List.of(topic)).get(topic);
            return d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (KafkaError e) {
            return false;
        }
    }

    /** "partition" or "partitions" (one word in Korean), for the lines that count them. */
    static String partitionWord(long n) {
        return Messages.text(n == 1 ? "kafka.partition" : "kafka.partitions");
    }

    /** "record" or "records". */
    static String recordWord(long n) {
        return Messages.text(n == 1 ? "kafka.record" : "kafka.records");
    }
}
