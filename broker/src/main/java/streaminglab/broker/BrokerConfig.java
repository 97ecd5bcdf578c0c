package streaminglab.broker;

import java.util.Properties;

/**
 * Every Kafka server setting the lab changes, in one place, each with why. Kafka's defaults
 * suit a cluster; these suit one small process on a student's laptop or a Binder container.
 */
final class BrokerConfig {
    /** Room for a record batch's header, key and headers around the largest value. */
    static final int RECORD_OVERHEAD_BYTES = 64 << 10;
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final int NODE_ID = 1;

    private BrokerConfig() {
    }

    static Properties of(BrokerOptions o) {
        Properties p = new Properties();
        // KRaft combined mode: this one process is the whole cluster (broker and its controller)
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // a static voter set: the controller port may change between starts without re-formatting
        p.put("controller.quorum.voters", NODE_ID + "@" + o.host() + ":" + o.controllerPort());
        p.put("listeners", "PLAINTEXT://" + o.host() + ":" + o.port() + "," + CONTROLLER_LISTENER + "://" + o.host() + ":" + o.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + o.host() + ":" + o.port());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", BrokerStorage.logDir(o.dataDir()).toString());

        // one broker: every topic, internal ones too, has one replica; one partition unless asked
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1"); // default 50: fifty logs to open at every start
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0"); // a lone consumer need not wait for others
        p.put("auto.create.topics.enable", "true"); // lessons may write to a topic before creating it
        // a lesson's huge record (a few MB) is stored, not refused: Kafka's default limit is 1 MB; the kernel, whose
        // producer sends them, says how large (its KafkaCluster.MAX_RECORD_BYTES, the one definition)
        if (o.maxRecordBytes() != null) p.put("message.max.bytes", String.valueOf(o.maxRecordBytes() + RECORD_OVERHEAD_BYTES));

        // small memory: the cleaner's dedupe buffer is 128 MB by default, the whole heap here
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8L << 20));
        p.put("log.cleaner.threads", "1");
        // few threads: the machine's cores belong to Spark
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        return p;
    }
}
