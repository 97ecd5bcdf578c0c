package streaminglab.spark;

import streaminglab.execution.KernelClassPath;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The jars of Spark's Kafka source and sink, which the lab has built in; sent to executors on a cluster. */
final class KafkaConnectorJars {
    private static final List<String> PREFIXES = List.of(
            "spark-sql-kafka-0-10_", "spark-token-provider-kafka-0-10_", "kafka-clients-", "commons-pool2-");

    private KafkaConnectorJars() {
    }

    /** Comma-separated paths, as spark.jars takes them. */
    static String list() {
        List<String> jars = new ArrayList<>();
        for (String entry : KernelClassPath.entries()) {
            String file = Paths.get(entry).getFileName().toString();
            if (file.endsWith(".jar") && PREFIXES.stream().anyMatch(file::startsWith)) jars.add(entry);
        }
        return String.join(",", jars);
    }
}
