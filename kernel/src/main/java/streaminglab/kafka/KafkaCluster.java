package streaminglab.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import streaminglab.config.LabSettings;
import streaminglab.language.Messages;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka the notebook talks to: the embedded broker, or the cluster KAFKA_BOOTSTRAP_SERVERS
 * names. Clients made here have short timeouts, so a broker that is not there gives a message
 * in seconds, never a hung cell.
 */
final class KafkaCluster implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 1500;
    /** The largest record the magics send and the lab's broker stores: the one definition; BrokerCommand hands it to the broker. */
    static final int MAX_RECORD_BYTES = 16 << 20;

    private final LabSettings settings;
    private final EmbeddedKafka embedded;
    private Admin admin;
    private String adminBootstrap;

    KafkaCluster(LabSettings settings, EmbeddedKafka embedded) {
        this.settings = settings;
        this.embedded = embedded;
    }

    boolean isExternal() {
        return settings.kafkaBootstrapServers() != null;
    }

    EmbeddedKafka embedded() {
        return embedded;
    }

    /** host:port[,host:port] for clients and for Spark's kafka.bootstrap.servers. */
    String bootstrap() {
        return isExternal() ? settings.kafkaBootstrapServers() : embedded.bootstrap();
    }

    /** How to start the embedded broker where the magics looked for it (its port, when not the default). */
    String embeddedNote() {
        int port = embedded.port();
        return port == settings.kafkaPort() ? "" : " --port " + port;
    }

    Duration requestTimeout() {
        return Duration.ofSeconds(settings.kafkaRequestSeconds());
    }

    /** True if one of the bootstrap servers accepts a connection within a moment. */
    boolean reachable() {
        for (String server : bootstrap().split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) continue;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))),
                        CONNECT_TIMEOUT_MS);
                return true;
            } catch (IOException | NumberFormatException e) {
                // try the next one
            }
        }
        return false;
    }

    void requireReachable() throws KafkaError {
        if (!reachable()) throw KafkaError.notRunning(this);
    }

    /** The admin client for the current address (made again when the address changed). */
    synchronized Admin admin() throws KafkaError {
        requireReachable();
        String bootstrap = bootstrap();
        if (admin == null || !bootstrap.equals(adminBootstrap)) {
            closeAdmin();
            Map<String, Object> config = common("spark-streaming-lab-admin");
            config.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 200);
            admin = Admin.create(config);
            adminBootstrap = bootstrap;
        }
        return admin;
    }

    /** Waits for an admin call within the request timeout; Kafka's errors become messages that say what to do. */
    <T> T await(KafkaFuture<T> future, String what, String topic) throws KafkaError, InterruptedException {
        try {
            return future.get(settings.kafkaRequestSeconds() + 2L, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw timedOut(what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof UnknownTopicOrPartitionException && topic != null) throw KafkaError.topicNotFound(topic, this);
            if (cause instanceof TopicExistsException) {
                throw new KafkaError("TopicExists", Messages.text("kafka.topic_exists", topic));
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) throw timedOut(what);
            if (cause instanceof InvalidTopicException || cause instanceof InvalidPartitionsException
                    || cause instanceof InvalidReplicationFactorException) {
                throw new KafkaError("KafkaError", what + ": " + cause.getMessage());
            }
            throw new KafkaError("KafkaError", Messages.text("kafka.request_failed", what, cause.getMessage()), cause);
        }
    }

    KafkaError timedOut(String what) {
        return new KafkaError("KafkaTimeout", Messages.text("kafka.no_answer_within", bootstrap(),
                settings.kafkaRequestSeconds(), what));
    }

    /** Producer settings: every record acknowledged by the broker, bounded waits when it is gone. */
    Map<String, Object> producerConfig(String clientId) {
        Map<String, Object> config = common(clientId);
        config.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG); // not a producer setting
        int ms = settings.kafkaRequestSeconds() * 1000;
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3 * ms + 1000);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES + 64 * 1024);
        return config;
    }

    /** For a stream of many small records (the fake producer): large batches, a few ms of lingering to fill them. */
    Map<String, Object> bulkProducerConfig(String clientId) {
        Map<String, Object> config = producerConfig(clientId);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        return config;
    }

    /** Consumer settings for reading by offset: no group, no commits. */
    Map<String, Object> consumerConfig(String clientId) {
        Map<String, Object> config = common(clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        return config;
    }

    private Map<String, Object> common(String clientId) {
        int ms = settings.kafkaRequestSeconds() * 1000;
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000L);
        config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5000L);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000L);
        return config;
    }

    /** Forgets the admin client (after the broker stopped or moved). */
    synchronized void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
            adminBootstrap = null;
        }
    }

    @Override
    public void close() {
        closeAdmin();
    }
}
