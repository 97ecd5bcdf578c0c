package streaminglab.broker;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data directory: {@code data/} is Kafka's log directory (topics and the cluster metadata),
 * {@code cluster.id} the cluster's id. Formatted on the first start, reused on every later one.
 */
final class BrokerStorage {
    private BrokerStorage() {
    }

    static Path logDir(Path dataDir) {
        return dataDir.resolve("data");
    }

    static boolean isFormatted(Path dataDir) {
        return Files.isRegularFile(logDir(dataDir).resolve("meta.properties"));
    }

    /** Formats the log directory if it is not yet; returns the cluster id either way. */
    static String prepare(Path dataDir, PrintStream out) throws Exception {
        Files.createDirectories(dataDir);
        Path idFile = dataDir.resolve("cluster.id");
        String clusterId = Files.isRegularFile(idFile) ? Files.readString(idFile, StandardCharsets.UTF_8).trim() : "";
        if (isFormatted(dataDir)) return clusterId.isEmpty() ? "(in data/meta.properties)" : clusterId;
        if (clusterId.isEmpty()) {
            clusterId = Uuid.randomUuid().toString();
            write(idFile, clusterId + "\n");
        }
        String dir = logDir(dataDir).toString();
        new Formatter()
                .setPrintStream(out)
                .setNodeId(BrokerConfig.NODE_ID)
                .setClusterId(clusterId)
                .setControllerListenerName(BrokerConfig.CONTROLLER_LISTENER)
                .setMetadataLogDirectory(dir)
                .addDirectory(dir)
                .setHasDynamicQuorum(false)
                .run();
        return clusterId;
    }

    /** Writes a small file whole or not at all (readers never see half of it). */
    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
