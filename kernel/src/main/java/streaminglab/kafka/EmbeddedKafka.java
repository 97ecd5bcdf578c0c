package streaminglab.kafka;

import streaminglab.language.Messages;
import streaminglab.config.LabSettings;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The lab's own single-node Kafka: Apache Kafka's server (module {@code broker}) in a JVM of its
 * own, so Kafka's Scala and Jackson never meet Spark's. It binds 127.0.0.1, keeps its data in
 * {@link LabSettings#kafkaDataDir()}, and dies with the kernel: it watches its stdin, a pipe this
 * JVM holds open, and the kernel's pid. A pid file lets the next kernel find a broker that
 * outlived a killed one.
 */
public final class EmbeddedKafka {
    static final String PID_FILE = "broker.pid";
    static final String READY_FILE = "broker.ready";
    static final String LOG_FILE = "broker.log";
    private static final int EXIT_PORT_IN_USE = 3;
    private static final long STOP_GRACE_SECONDS = 20;

    private final LabSettings settings;
    private final Path dataDir;
    private final String host;
    private volatile Process process;
    /** The broker's stdin: never written; when this JVM dies the OS closes it and the broker stops. */
    private OutputStream lifeline;
    private int port;
    private String kafkaVersion = "";
    private volatile boolean stopping;
    private volatile String unexpectedExit;

    public EmbeddedKafka(LabSettings settings) {
        this.settings = settings;
        this.dataDir = settings.kafkaDataDir().toAbsolutePath();
        this.host = settings.kafkaHost();
        this.port = settings.kafkaPort();
    }

    /** A broker that runs on this lab's data directory: this kernel's, another kernel's, or a leftover. */
    public record Broker(long pid, long kernelPid, String host, int port, String kafkaVersion, boolean ours) {
        public String bootstrap() {
            return host + ":" + port;
        }

        /** True if the kernel that started it is gone (it outlived a killed kernel). */
        boolean orphaned() {
            return !ours && !ProcessHandle.of(kernelPid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return dataDir.resolve(LOG_FILE);
    }

    /** Why the broker this kernel started ended without being asked to, or null. */
    public String unexpectedExit() {
        return unexpectedExit;
    }

    /** The broker running on this lab's data, if any. */
    public synchronized Optional<Broker> running() {
        Process p = process;
        if (p != null && p.isAlive()) {
            return Optional.of(new Broker(p.pid(), ProcessHandle.current().pid(), host, port, kafkaVersion, true));
        }
        return fromPidFile();
    }

    /** Where clients find the broker: the running one's address, else where %kafka start puts it. */
    public synchronized String bootstrap() {
        return running().map(Broker::bootstrap).orElse(host + ":" + port);
    }

    /** The port %kafka start uses without --port (the last one asked for, else the configured one). */
    synchronized int port() {
        return port;
    }

    /**
     * Starts the broker and waits until it accepts clients. A running broker is reported, not doubled;
     * a leftover of a dead kernel is stopped first. Returns what happened, for the cell.
     */
    public synchronized String start(Integer requestedPort, boolean fresh) throws KafkaError, InterruptedException {
        StringBuilder note = new StringBuilder();
        if (process != null && !process.isAlive()) {
            process = null;
            closeLifeline();
        }
        Optional<Broker> found = running();
        if (found.isPresent()) {
            Broker b = found.get();
            if (b.orphaned()) {
                stopProcess(ProcessHandle.of(b.pid()).orElse(null));
                note.append(Messages.text("broker.stopped_leftover", b.pid())).append('\n');
            } else if (fresh && b.ours()) {
                stopOurs();
                note.append(Messages.text("broker.stopped_for_fresh")).append('\n');
            } else {
                String owner = b.ours() ? Messages.text("broker.owner.ours") : Messages.text("broker.owner.other", b.kernelPid());
                String move = requestedPort != null && requestedPort != b.port()
                        ? Messages.text("broker.move", requestedPort) : "";
                String freshNote = fresh && !b.ours() ? Messages.text("broker.fresh_needs_stop") : "";
                return Messages.text("broker.already_running", b.bootstrap(), b.pid(), owner, move, freshNote);
            }
        }
        int brokerPort = requestedPort != null ? requestedPort : port;
        int controllerPort = settings.kafkaControllerPort(brokerPort);
        if (controllerPort == brokerPort) controllerPort = brokerPort + 1;
        checkFree(brokerPort, Messages.text("broker.port.clients"));
        checkFree(controllerPort, Messages.text("broker.port.controller"));
        BrokerCommand command = new BrokerCommand(settings, dataDir);
        try {
            Files.createDirectories(dataDir);
            if (fresh) {
                deleteData();
                note.append(Messages.text("broker.fresh_deleted")).append('\n');
            }
            Files.deleteIfExists(dataDir.resolve(READY_FILE));
        } catch (IOException e) {
            throw new KafkaError("KafkaStartFailed", Messages.text("broker.data_dir_failed", dataDir, e.getMessage()), e);
        }
        port = brokerPort;
        long t0 = System.nanoTime();
        Process p = launch(command, brokerPort, controllerPort);
        writePidFile(p, brokerPort, controllerPort); // at once: a kernel killed during the start leaves it findable
        Properties ready = awaitReady(p, brokerPort);
        command.writeArchive(p.toHandle());
        kafkaVersion = ready.getProperty("kafka.version", "");
        writePidFile(p, brokerPort, controllerPort);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return note + Messages.text("broker.started", kafkaVersion, bootstrap(), String.format("%.1f", seconds), p.pid())
                + System.lineSeparator() + Messages.text("broker.data", dataDir);
    }

    /** Stops the broker (SIGTERM, then a kill if it hangs). Topics and records stay on disk. */
    public synchronized String stop() throws InterruptedException {
        Optional<Broker> found = running();
        if (found.isEmpty()) {
            String exit = unexpectedExit;
            return Messages.text("broker.not_running", exit != null ? Messages.text("broker.not_running.exit", exit) : "");
        }
        Broker b = found.get();
        long t0 = System.nanoTime();
        if (b.ours()) {
            stopOurs();
        } else if (b.orphaned()) {
            stopProcess(ProcessHandle.of(b.pid()).orElse(null));
            deletePidFile();
            return Messages.text("broker.stopped_leftover_at", b.pid(), b.bootstrap());
        } else {
            return Messages.text("broker.other_kernel", b.bootstrap(), b.kernelPid());
        }
        return Messages.text("broker.stopped", b.bootstrap(), b.pid(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    }

    /** For the kernel's shutdown: stops this kernel's broker without waiting for the lock a start holds. */
    public void shutdown() {
        Process p = process;
        if (p == null) return;
        stopping = true;
        try {
            stopProcess(p.toHandle());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deletePidFile();
    }

    private void stopOurs() throws InterruptedException {
        Process p = process;
        stopping = true;
        try {
            if (p != null) stopProcess(p.toHandle());
        } finally {
            closeLifeline();
            process = null;
            deletePidFile();
        }
    }

    /** SIGTERM, wait for Kafka's clean shutdown, then SIGKILL if it did not come. */
    private static void stopProcess(ProcessHandle handle) throws InterruptedException {
        if (handle == null || gone(handle)) return;
        handle.destroy();
        if (awaitGone(handle, TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS))) return;
        handle.destroyForcibly();
        awaitGone(handle, TimeUnit.SECONDS.toNanos(5));
    }

    private static boolean awaitGone(ProcessHandle handle, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (!gone(handle)) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(50);
        }
        return true;
    }

    /** Exited: not alive, or a zombie its parent (not this JVM, for a leftover) has not reaped yet. */
    private static boolean gone(ProcessHandle handle) {
        if (!handle.isAlive()) return true;
        try {
            String stat = Files.readString(Paths.get("/proc", String.valueOf(handle.pid()), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return state.startsWith("Z") || state.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux): isAlive above is all there is
        }
    }

    private Process launch(BrokerCommand command, int brokerPort, int controllerPort) throws KafkaError {
        ProcessBuilder builder = new ProcessBuilder(command.command(host, brokerPort, controllerPort))
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        try {
            stopping = false;
            unexpectedExit = null;
            Process p = builder.start();
            process = p;
            lifeline = p.getOutputStream();
            p.onExit().thenAccept(exited -> {
                if (!stopping && process == exited) {
                    unexpectedExit = Messages.text("broker.exited", exited.exitValue(), logFile());
                }
            });
            return p;
        } catch (IOException e) {
            throw new KafkaError("KafkaStartFailed", Messages.text("broker.jvm_failed", e.getMessage()), e);
        }
    }

    private Properties awaitReady(Process p, int brokerPort) throws KafkaError, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.kafkaStartSeconds());
        Path readyFile = dataDir.resolve(READY_FILE);
        try {
            while (true) {
                if (Files.isRegularFile(readyFile)) {
                    try {
                        Properties ready = readProperties(readyFile);
                        if (String.valueOf(p.pid()).equals(ready.getProperty("pid"))) return ready;
                    } catch (IOException notYet) {
                        // written whole by a rename, so only a file being replaced fails: read it again next round
                    }
                }
                if (!p.isAlive()) {
                    int code = p.exitValue();
                    process = null;
                    closeLifeline();
                    deletePidFile();
                    if (code == EXIT_PORT_IN_USE) {
                        throw new KafkaError("KafkaPortInUse", Messages.text("broker.port_taken", brokerPort, host, brokerPort + 2));
                    }
                    throw new KafkaError("KafkaStartFailed", Messages.text("broker.exited_before_ready", code, logEnd()));
                }
                if (System.nanoTime() > deadline) {
                    stopOurs();
                    throw new KafkaError("KafkaStartFailed", Messages.text("broker.not_ready", settings.kafkaStartSeconds(), logEnd()));
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            stopOurs(); // an interrupted start leaves nothing half-started
            throw e;
        }
    }

    private void checkFree(int p, String what) throws KafkaError {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, p));
        } catch (IOException e) {
            throw new KafkaError("KafkaPortInUse", Messages.text("broker.port_in_use", p, host, what, p + 2));
        }
    }

    private Optional<Broker> fromPidFile() {
        Path file = dataDir.resolve(PID_FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            Properties props = readProperties(file);
            long pid = Long.parseLong(props.getProperty("pid", "-1"));
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive() || !isOurBroker(handle.get())) return Optional.empty();
            return Optional.of(new Broker(pid, Long.parseLong(props.getProperty("kernel.pid", "-1")),
                    props.getProperty("host", host), Integer.parseInt(props.getProperty("port", "0")),
                    props.getProperty("kafka.version", ""), false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A pid can be reused: it is ours only if it runs the broker jar on this data directory. */
    private boolean isOurBroker(ProcessHandle handle) {
        String commandLine = handle.info().commandLine().orElse("");
        if (commandLine.isEmpty()) {
            try {
                commandLine = Files.readString(Paths.get("/proc", String.valueOf(handle.pid()), "cmdline")).replace('\0', ' ');
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return commandLine.contains(BrokerCommand.BROKER_JAR) && commandLine.contains(dataDir.toString());
    }

    private void writePidFile(Process p, int brokerPort, int controllerPort) {
        String text = "pid=" + p.pid() + "\nkernel.pid=" + ProcessHandle.current().pid() + "\nhost=" + host
                + "\nport=" + brokerPort + "\ncontroller.port=" + controllerPort + "\nkafka.version=" + kafkaVersion
                + "\nstarted=" + System.currentTimeMillis() + "\n";
        try {
            Path tmp = dataDir.resolve(PID_FILE + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dataDir.resolve(PID_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // without it only the leftover check of a later kernel is lost; the broker still follows this JVM out
        }
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(dataDir.resolve(PID_FILE));
        } catch (IOException ignored) {
            // a stale pid file is checked against the process table before it is believed
        }
    }

    private void closeLifeline() {
        if (lifeline == null) return;
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // already closed: the broker saw its end of the pipe close
        }
        lifeline = null;
    }

    private void deleteData() throws IOException {
        for (String name : List.of("data", "cluster.id")) {
            Path path = dataDir.resolve(name);
            if (!Files.exists(path)) continue;
            try (Stream<Path> files = Files.walk(path)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
    }

    /** The last lines of the broker's log, named, for a start that failed. */
    private String logEnd() {
        return Messages.text("broker.log_end", logFile(), logTail(20));
    }

    private String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return Messages.text("broker.no_log");
        }
    }

    private static Properties readProperties(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        }
        return props;
    }
}
