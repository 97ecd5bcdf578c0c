package streaminglab.install;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import streaminglab.config.LabSettings;
import streaminglab.kernel.KernelLaunch;
import streaminglab.language.Messages;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * {@code java -jar kernel.jar train}: a short notebook session, run by the JVM {@link ClassArchive} starts to
 * record the classes a session loads. It is a real kernel on loopback ports, driven the way Jupyter drives it,
 * so the archive holds what a student's first cells load: the Jupyter messaging, JShell and javac, Spark's
 * start and first job, a table, SQL and a streaming query's live view. The kernel exits when it is shut
 * down, and the JVM writes the archive as it exits.
 */
public final class ArchiveTraining {
    private static final Logger LOG = Logger.getLogger(ArchiveTraining.class.getName());
    private static final long CELL_TIMEOUT_MS = 180_000;
    /** Starts the line that says why the training stopped early; the installer watches for it and stops waiting. */
    static final String GAVE_UP = "training gave up: ";
    private static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);

    /** The first cell: it waits for Spark's start, which every later cell needs. */
    static final String SPARK_START = "spark.range(10).count()";

    static final List<String> CELLS = List.of(
            SPARK_START,
            "1 + 1",
            "spark.range(3).selectExpr(\"id\", \"id * 2 AS twice\")",
            "%%sql\nSELECT 1 AS one",
            "StreamingQuery training = spark.readStream().format(\"rate\").option(\"rowsPerSecond\", 5).load()\n"
                    + "    .groupBy().count().writeStream().format(\"console\").outputMode(\"complete\")\n"
                    + "    .queryName(\"training\").start();",
            "%stream wait training --batches 1 --timeout 60",
            "%stream stop all");

    private ArchiveTraining() {
    }

    public static void run() {
        // the kernel routes System.err into cells once it starts: the installer reads this one
        PrintStream log = System.err;
        try {
            train(log);
        } catch (Throwable t) {
            // a thread that dies here would leave the kernel's thread running, and the installer waiting
            log.println(GAVE_UP + t);
            t.printStackTrace(log);
            System.exit(1);
        }
    }

    private static void train(PrintStream log) throws Exception {
        // in the lab home the installer gave this session (a temp folder it deletes afterwards)
        LabSettings settings = LabSettings.fromEnvironment();
        Path dir = Files.createDirectories(settings.labHome());
        String json = connectionJson();
        KernelConnectionProperties connection = KernelConnectionProperties.parse(json);
        Path file = dir.resolve("connection.json");
        Files.writeString(file, json);
        Thread kernel = new Thread(() -> {
            try {
                KernelLaunch.run(file.toString(), settings); // exits the JVM when shut down
            } catch (Exception e) {
                log.println("training: the kernel did not start: " + e);
                System.exit(1);
            }
        }, "training-kernel");
        kernel.setDaemon(true); // the training's own end (System.exit) decides when the JVM ends
        kernel.start();

        ZMQ.Context zmq = ZMQ.context(1);
        HMACGenerator hmac = connection.createHMACGenerator();
        String address = connection.getTransport() + "://" + connection.getIp() + ":";
        ClientSocket shell = new ClientSocket(zmq, hmac, address + connection.getShellPort());
        ClientSocket control = new ClientSocket(zmq, hmac, address + connection.getControlPort());
        shell.ask(new Message<>(new Header<>(KernelInfoRequest.MESSAGE_TYPE), new KernelInfoRequest()),
                "kernel_info_reply");
        for (String cell : CELLS) {
            Reply reply = shell.ask(new Message<>(new Header<>(ExecuteRequest.MESSAGE_TYPE),
                    new ExecuteRequest(cell, false, true, Map.of(), false, false)), "execute_reply");
            String failure = Reply.failure(reply);
            if (failure == null) continue;
            if (cell.equals(SPARK_START)) {
                // every later cell needs Spark: recording them would take minutes and hold nothing
                log.println(GAVE_UP + Messages.text("training.spark.failed", failure));
                System.exit(1);
            }
            log.println("training: a cell did not run (the archive still holds what loaded): " + cell + "\n  " + failure);
        }
        control.ask(new Message<>(new Header<>(ShutdownRequest.MESSAGE_TYPE), ShutdownRequest.SHUTDOWN),
                "shutdown_reply");
        kernel.join(60_000);
        log.println("training: the kernel did not exit after its shutdown");
        System.exit(1);
    }

    /** A connection file on free loopback ports with a fresh key. */
    private static String connectionJson() throws IOException {
        return String.format("{\"transport\": \"tcp\", \"ip\": \"127.0.0.1\", \"shell_port\": %d, \"iopub_port\": %d,"
                        + " \"stdin_port\": %d, \"control_port\": %d, \"hb_port\": %d, \"key\": \"%s\","
                        + " \"signature_scheme\": \"hmac-sha256\", \"kernel_name\": \"training\"}",
                freePort(), freePort(), freePort(), freePort(), freePort(), UUID.randomUUID());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A reply from the training kernel: its message type and content. */
    private record Reply(String type, JsonObject content) {
        /** Why a cell failed (the kernel's error, as the notebook shows it), or null when it ran. */
        static String failure(Reply reply) {
            if (reply == null) return "no reply within " + CELL_TIMEOUT_MS / 1000 + " s";
            String status = text(reply.content, "status");
            if ("ok".equals(status)) return null;
            if ("error".equals(status)) return text(reply.content, "ename") + ": " + text(reply.content, "evalue");
            return "the kernel answered " + reply.content;
        }

        private static String text(JsonObject object, String key) {
            var value = object.get(key);
            return value == null || value.isJsonNull() ? "" : value.getAsString();
        }
    }

    /** The client end of a shell or control channel. */
    private static final class ClientSocket extends JupyterSocket {
        ClientSocket(ZMQ.Context context, HMACGenerator hmac, String address) {
            super(context, SocketType.DEALER, hmac, LOG);
            connect(address);
        }

        /** Sends a request and returns its reply, or null when none came in time. */
        Reply ask(Message<?> request, String replyType) {
            sendMessage(request);
            long deadline = System.currentTimeMillis() + CELL_TIMEOUT_MS;
            while (true) {
                // a read would wait for ever: wait here, with a deadline, for something to read
                while ((getEvents() & ZMQ.Poller.POLLIN) == 0) {
                    if (System.currentTimeMillis() > deadline) return null;
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
                Reply reply = readReply();
                if (reply.type().equals(replyType)) return reply;
            }
        }

        /**
         * The next message's type and content, as JSON: the base library's readMessage throws a
         * ClassCastException on an error reply (it reads it as an ErrorReply, then casts it to the reply type).
         */
        private Reply readReply() {
            byte[] frame = recv();
            while (!Arrays.equals(frame, DELIMITER)) frame = recv(); // routing frames
            String signature = recvStr();
            byte[] header = recv();
            byte[] parent = recv();
            byte[] metadata = recv();
            byte[] content = recv();
            while (hasReceiveMore()) recv(); // buffers: a reply has none
            String expected = hmacGenerator.calculateSignature(header, parent, metadata, content);
            if (expected != null && !expected.equals(signature)) {
                throw new SecurityException("a reply from the training kernel had a wrong signature");
            }
            String type = JsonParser.parseString(new String(header, StandardCharsets.UTF_8)).getAsJsonObject()
                    .get("msg_type").getAsString();
            return new Reply(type, JsonParser.parseString(new String(content, StandardCharsets.UTF_8)).getAsJsonObject());
        }

        @Override
        public void bind(KernelConnectionProperties connection) {
            throw new UnsupportedOperationException("a client connects");
        }
    }
}
