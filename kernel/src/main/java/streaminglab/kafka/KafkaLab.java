package streaminglab.kafka;

import streaminglab.config.LabSettings;
import streaminglab.magics.Magic;
import streaminglab.output.OutputRouter;

import java.util.List;

/**
 * The Kafka part of the lab, for the kernel to wire in: the {@code %kafka} magics, the embedded
 * broker they control, and the fake producers they start. {@link #stop()} ends all of it.
 */
public final class KafkaLab {
    private static final long PRODUCER_STOP_SECONDS = 5;

    private final EmbeddedKafka embedded;
    private final KafkaCluster cluster;
    private final FakeProducers producers = new FakeProducers();
    private final KafkaMagic magic;
    private final QueryFailureAdvice advice;

    public KafkaLab(LabSettings settings, OutputRouter router) {
        this.embedded = new EmbeddedKafka(settings);
        this.cluster = new KafkaCluster(settings, embedded);
        this.magic = new KafkaMagic(cluster, producers, router, settings);
        this.advice = new QueryFailureAdvice(cluster);
    }

    public List<Magic> magics() {
        return List.of(magic);
    }

    /** host:port of the Kafka the notebook uses (the lab's broker or KAFKA_BOOTSTRAP_SERVERS), for kafka.bootstrap.servers. */
    public String bootstrapServers() {
        return cluster.bootstrap();
    }

    /**
     * Plain words for the live view of a streaming query that failed because of Kafka (the broker gone,
     * a topic deleted): what happened and what brings the query back; null when it is not about Kafka.
     * checkpoint: the query's checkpoint location (a path or a file: URI), or null.
     */
    public String explainQueryFailure(String error, String checkpoint) {
        return advice.explain(error, checkpoint);
    }

    /**
     * What a live view adds when nothing answers at a query's kafka.bootstrap.servers: start the lab's broker
     * (when that is the address), or where the notebook's Kafka is.
     */
    public String adviseOnSilentServers(String servers) {
        return advice.silentServers(servers);
    }

    /** Stops the fake producers, then this kernel's broker (SIGTERM, a kill if it hangs). Safe to call twice. */
    public void stop() {
        producers.stopAll(PRODUCER_STOP_SECONDS);
        cluster.close();
        embedded.shutdown();
    }
}
