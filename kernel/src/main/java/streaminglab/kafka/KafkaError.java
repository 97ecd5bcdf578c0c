package streaminglab.kafka;

import streaminglab.execution.CellError;

import java.util.List;

/** A Kafka magic could not do its work; the message says why and what to do, without a stack trace. */
final class KafkaError extends CellError {
    KafkaError(String name, String message) {
        super(name, message, List.of(name + ": " + message), null);
    }

    KafkaError(String name, String message, Throwable cause) {
        super(name, message, List.of(name + ": " + message), cause);
    }

    static KafkaError notRunning(KafkaCluster cluster) {
        if (cluster.isExternal()) {
            return new KafkaError("KafkaNotReachable", "No Kafka broker answers at " + cluster.bootstrap()
                    + " (from KAFKA_BOOTSTRAP_SERVERS). Check that the cluster runs and that the address is right.");
        }
        return new KafkaError("KafkaNotRunning", "Kafka is not running at " + cluster.bootstrap()
                + ". Start it with %kafka start" + cluster.embeddedNote() + ".");
    }

    static KafkaError topicNotFound(String topic, KafkaCluster cluster) {
        return new KafkaError("TopicNotFound", "There is no topic '" + topic + "' at " + cluster.bootstrap()
                + ". %kafka topics lists the topics; %kafka create " + topic + " makes it.");
    }
}
