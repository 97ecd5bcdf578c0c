package streaminglab.broker;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The broker's command line, parsed once: where its data lives, which ports, who it follows out. */
record BrokerOptions(Path dataDir, String host, int port, int controllerPort, boolean exitOnStdinEof, long parentPid,
                     Path readyFile, Integer maxRecordBytes) {
    static final String USAGE = String.join("\n",
            "java -Xmx128m -XX:+UseSerialGC -jar spark-streaming-lab-broker.jar --data-dir DIR [options]",
            "",
            "Runs a single-node Apache Kafka (KRaft: broker and controller in one process).",
            "The first start formats DIR; later starts reuse it (topics and records are kept).",
            "Prints 'READY host:port' on stdout once clients can connect.",
            "  --data-dir DIR          where the cluster id and the topic data live (required)",
            "  --port P                the port clients connect to (default 9092)",
            "  --controller-port C     the KRaft controller's port (default P + 1)",
            "  --host H                the address to bind (default 127.0.0.1)",
            "  --exit-on-stdin-eof     stop when standard input closes (the starting process died)",
            "  --parent-pid PID        stop when process PID exits",
            "  --ready-file FILE       also write FILE (pid, ports, cluster id) once clients can connect",
            "  --max-record-bytes N    the largest record value to store (default: Kafka's own limit, 1 MB)");

    static BrokerOptions parse(String[] args) {
        Path dataDir = null;
        String host = "127.0.0.1";
        int port = 9092;
        Integer controllerPort = null;
        boolean stdinEof = false;
        long parentPid = -1;
        Path readyFile = null;
        Integer maxRecordBytes = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data-dir" -> dataDir = Paths.get(value(args, ++i, a)).toAbsolutePath();
                case "--host" -> host = value(args, ++i, a);
                case "--port" -> port = port(value(args, ++i, a), a);
                case "--controller-port" -> controllerPort = port(value(args, ++i, a), a);
                case "--exit-on-stdin-eof" -> stdinEof = true;
                case "--parent-pid" -> {
                    String v = value(args, ++i, a);
                    try {
                        parentPid = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--parent-pid needs a process id, not '" + v + "'.");
                    }
                }
                case "--ready-file" -> readyFile = Paths.get(value(args, ++i, a)).toAbsolutePath();
                case "--max-record-bytes" -> {
                    String v = value(args, ++i, a);
                    try {
                        maxRecordBytes = Integer.parseInt(v);
                        if (maxRecordBytes < 1) throw new NumberFormatException();
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--max-record-bytes needs a positive number of bytes, not '" + v + "'.");
                    }
                }
                default -> throw new IllegalArgumentException("Unknown argument '" + a + "'.");
            }
        }
        if (dataDir == null) throw new IllegalArgumentException("--data-dir is required.");
        int controller = controllerPort != null ? controllerPort : port + 1;
        if (controller == port) throw new IllegalArgumentException("--controller-port must differ from --port (" + port + ").");
        return new BrokerOptions(dataDir, host, port, controller, stdinEof, parentPid, readyFile, maxRecordBytes);
    }

    String bootstrap() {
        return host + ":" + port;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value.");
        return args[i];
    }

    private static int port(String value, String option) {
        try {
            int p = Integer.parseInt(value);
            if (p < 1 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a port number (1-65535), not '" + value + "'.");
        }
    }
}
