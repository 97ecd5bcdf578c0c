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
 * How the broker JVM is launched: which jar, which JVM options, and its class-data archive (AppCDS):
 * later starts map the Kafka classes from it instead of loading them again, which roughly halves the
 * start on a busy machine (4.1 -> 2.2 s measured). The archive is written while the first broker runs,
 * right after it is ready (jcmd VM.cds dynamic_dump), not when it exits: writing it at exit took 8 s
 * and more, so a kernel restart's broker stop ran into Jupyter's kill and the archive was never kept.
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
            command.add("-XX:+RecordDynamicDumpInfo"); // lets writeArchive ask this JVM for its archive
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
                "--parent-pid", String.valueOf(ProcessHandle.current().pid()),
                // what the kernel and the broker must agree on is said here, defined once on the kernel's side
                "--ready-file", dataDir.resolve(EmbeddedKafka.READY_FILE).toString(),
                "--max-record-bytes", String.valueOf(KafkaCluster.MAX_RECORD_BYTES)));
        return command;
    }

    /**
     * Asks the running broker (started without an archive) to write one, in the background; kept only when
     * jcmd says it worked, so a half-written archive never reaches a JVM that would map it.
     */
    void writeArchive(ProcessHandle broker) {
        if (!writingArchive) return;
        writingArchive = false;
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) return; // a runtime without the JDK's tools: the broker starts without it
        Thread writer = new Thread(() -> {
            try {
                Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(broker.pid()), "VM.cds", "dynamic_dump",
                        archiveBeingWritten.toString()).redirectErrorStream(true).start();
                String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                boolean done = p.waitFor(ARCHIVE_SECONDS, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
                if (done && Files.isRegularFile(archiveBeingWritten) && Files.size(archiveBeingWritten) > 0) {
                    Files.move(archiveBeingWritten, archive, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    p.destroyForcibly();
                    Files.deleteIfExists(archiveBeingWritten);
                    note("jcmd said: " + said.strip());
                }
            } catch (IOException | InterruptedException e) {
                note(e.toString());
                try {
                    Files.deleteIfExists(archiveBeingWritten);
                } catch (IOException ignored) {
                    // only disk space
                }
            }
        }, "broker-class-archive");
        writer.setDaemon(true);
        writer.start();
    }

    private static final long ARCHIVE_SECONDS = 120;

    /** Why there is no archive, for whoever wonders why the broker starts slowly: beside the broker's data. */
    private void note(String why) {
        try {
            Files.writeString(dataDir.resolve(ARCHIVE_PREFIX + "not-written.log"), "The class-data archive " + archive
                    + " was not written: " + why + "\n");
        } catch (IOException ignored) {
            // nothing more to do: the broker works without it
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
