package streaminglab.kafka;

import streaminglab.config.LabSettings;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * How the broker JVM is launched: which jar, which JVM options. The broker's first clean stop
 * leaves a class-data archive of the Kafka classes it loaded (AppCDS); later starts map it
 * instead of loading those classes again, which roughly halves the start on a busy machine.
 */
final class BrokerCommand {
    static final String BROKER_JAR = "spark-streaming-lab-broker.jar";
    private static final String ARCHIVE_PREFIX = "broker-classes-";

    private final LabSettings settings;
    private final Path dataDir;
    private final Path jar;
    private final Path archive;
    private final Path archiveBeingWritten;
    private volatile boolean writingArchive;

    BrokerCommand(LabSettings settings, Path dataDir) throws KafkaError {
        this.settings = settings;
        this.dataDir = dataDir;
        this.jar = brokerJar(settings);
        this.archive = dataDir.resolve(ARCHIVE_PREFIX + archiveKey(jar) + ".jsa");
        this.archiveBeingWritten = dataDir.resolve(archive.getFileName() + ".part");
    }

    List<String> command(String host, int port, int controllerPort) {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + settings.kafkaHeap(),
                "-XX:+UseSerialGC", // one small heap: no parallel GC threads competing with Spark for the cores
                "-XX:TieredStopAtLevel=1", // the quick compiler only: less CPU at start, less memory, enough for a lab
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true"));
        writingArchive = !Files.isRegularFile(archive);
        if (writingArchive) {
            deleteOldArchives();
            command.add("-XX:ArchiveClassesAtExit=" + archiveBeingWritten);
        } else {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.addAll(List.of(
                "-jar", jar.toString(),
                "--data-dir", dataDir.toString(),
                "--host", host,
                "--port", String.valueOf(port),
                "--controller-port", String.valueOf(controllerPort),
                "--exit-on-stdin-eof",
                "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
        return command;
    }

    /**
     * The launched broker ended. Its archive is kept only after a clean exit (0, or 143 after
     * SIGTERM): a half-written archive would crash the next JVM that maps it.
     */
    void exited(int exitCode) {
        if (!writingArchive) return;
        writingArchive = false;
        try {
            if ((exitCode == 0 || exitCode == 143) && Files.isRegularFile(archiveBeingWritten)
                    && Files.size(archiveBeingWritten) > 0) {
                Files.move(archiveBeingWritten, archive, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.deleteIfExists(archiveBeingWritten);
            }
        } catch (IOException ignored) {
            // no archive: the next start loads the classes itself and writes one again
        }
    }

    private void deleteOldArchives() {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dataDir, ARCHIVE_PREFIX + "*")) {
            for (Path p : old) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // an old archive is only disk space: the JVM checks an archive against its jars before using it
        }
    }

    /** The archive fits one JDK and one build of the broker jar. */
    private static String archiveKey(Path jar) {
        long stamp;
        try {
            stamp = Files.getLastModifiedTime(jar).toMillis() ^ Files.size(jar);
        } catch (IOException e) {
            stamp = 0;
        }
        String key = System.getProperty("java.home") + "|" + System.getProperty("java.vm.version") + "|" + jar + "|" + stamp;
        return Integer.toHexString(key.hashCode());
    }

    /** The broker jar: SPARK_LAB_BROKER_JAR, else beside the kernel jar (a build, or an installed layout). */
    static Path brokerJar(LabSettings settings) throws KafkaError {
        Path configured = settings.brokerJar();
        if (configured != null) {
            if (Files.isRegularFile(configured)) return configured.toAbsolutePath();
            throw new KafkaError("BrokerJarMissing", "SPARK_LAB_BROKER_JAR names " + configured + ", which is not a file.");
        }
        List<Path> tried = new ArrayList<>();
        Path here = kernelDir();
        if (here != null) {
            for (Path candidate : List.of(
                    here.resolve("../../broker/target").resolve(BROKER_JAR), // kernel/target in a build of the repository
                    here.resolve("broker").resolve(BROKER_JAR),
                    here.resolve(BROKER_JAR))) {
                Path normal = candidate.normalize();
                if (Files.isRegularFile(normal)) return normal;
                tried.add(normal);
            }
        }
        throw new KafkaError("BrokerJarMissing", "The Kafka broker's jar was not found (looked for " + tried
                + "). Build it with `mvn -B -q package -DskipTests` in the repository root, or set SPARK_LAB_BROKER_JAR.");
    }

    /** The directory of the kernel jar (kernel/target), or of the classes directory when run from classes. */
    private static Path kernelDir() {
        try {
            Path location = Paths.get(BrokerCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.toAbsolutePath().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
