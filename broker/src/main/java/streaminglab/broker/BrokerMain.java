package streaminglab.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar spark-streaming-lab-broker.jar --data-dir DIR [--port P]}: Apache Kafka's own
 * server, KRaft broker and controller in this one JVM, for the lab. Exit codes: 0 stopped,
 * 1 failed, 2 wrong arguments, 3 a port is taken.
 */
public final class BrokerMain {
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_IN_USE = 3;

    private static volatile KafkaRaftServer server;

    private BrokerMain() {
    }

    public static void main(String[] args) {
        BrokerOptions options;
        try {
            options = BrokerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + BrokerOptions.USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        // before the first logger: Kafka's logs go to stderr at WARN, not INFO by the page
        System.setProperty("log4j2.configurationFile", "classpath:streaminglab/broker/log4j2.properties");
        System.setProperty("log4j2.shutdownHookEnabled", "false"); // keep logging while our hook stops Kafka
        long t0 = System.nanoTime();
        for (int port : new int[]{options.port(), options.controllerPort()}) {
            if (!free(options.host(), port)) {
                System.err.println("PORT IN USE " + options.host() + ":" + port
                        + ": another program (another Kafka?) listens there; choose another port.");
                System.exit(EXIT_PORT_IN_USE);
            }
        }
        Path ready = options.readyFile(); // the starter's to name (the kernel's EmbeddedKafka.READY_FILE)
        try {
            if (ready != null) Files.deleteIfExists(ready);
            String clusterId = BrokerStorage.prepare(options.dataDir(), System.err);
            followStarterOut(options);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(ready), "broker-stop"));
            KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(BrokerConfig.of(options), false), Time.SYSTEM);
            server = s;
            s.startup();
            awaitClients(options.bootstrap());
            long pid = ProcessHandle.current().pid();
            String version = kafkaVersion();
            if (ready != null) BrokerStorage.write(ready, "pid=" + pid + "\nhost=" + options.host() + "\nport=" + options.port()
                    + "\ncontroller.port=" + options.controllerPort() + "\ncluster.id=" + clusterId
                    + "\nkafka.version=" + version + "\n");
            System.out.printf("READY %s (Kafka %s, pid %d, cluster %s, %.1f s)%n", options.bootstrap(), version, pid,
                    clusterId, (System.nanoTime() - t0) / 1e9);
            System.out.flush();
            s.awaitShutdown();
        } catch (Throwable t) {
            System.err.println("FAILED: Kafka could not start: " + t);
            t.printStackTrace();
            System.exit(EXIT_FAILED);
        }
    }

    /** Answers a real client's request before saying READY: the broker is registered and unfenced. */
    private static void awaitClients(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    /** The lab starts the broker as a child: when the kernel dies, however it dies, so does the broker. */
    private static void followStarterOut(BrokerOptions options) {
        if (options.exitOnStdinEof()) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the starter never writes; it only keeps the pipe open while it lives
                    }
                } catch (IOException closed) {
                    // a broken pipe means the same: the starter is gone
                }
                System.err.println("the process that started the broker is gone (stdin closed): stopping");
                System.exit(0);
            }, "starter-stdin-watch");
            watch.setDaemon(true);
            watch.start();
        }
        if (options.parentPid() > 0) {
            ProcessHandle.of(options.parentPid()).ifPresentOrElse(
                    parent -> parent.onExit().thenRun(() -> {
                        System.err.println("parent process " + options.parentPid() + " exited: stopping");
                        System.exit(0);
                    }),
                    () -> {
                        System.err.println("parent process " + options.parentPid() + " is not running: not starting");
                        System.exit(0);
                    });
        }
    }

    private static void stop(Path ready) {
        try {
            if (ready != null) Files.deleteIfExists(ready);
        } catch (IOException ignored) {
            // the starter checks the pid inside, a stale file misleads no one
        }
        KafkaRaftServer s = server;
        if (s == null) return;
        try {
            s.shutdown();
            s.awaitShutdown();
            System.err.println("STOPPED");
        } catch (Throwable t) {
            System.err.println("Kafka did not stop cleanly: " + t);
        }
    }

    /** The version the Kafka client jar beside the server states (the same release). */
    private static String kafkaVersion() {
        try (var in = Admin.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static boolean free(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
