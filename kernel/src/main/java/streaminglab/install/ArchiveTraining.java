package streaminglab.install;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import streaminglab.config.LabSettings;
import streaminglab.kernel.KernelLaunch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static final List<String> CELLS = List.of(
            "spark.range(10).count()",
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

    public static void run() throws Exception {
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
                System.err.println("training: the kernel did not start: " + e);
                System.exit(1);
            }
        }, "training-kernel");
        kernel.start();

        ZMQ.Context zmq = ZMQ.context(1);
        HMACGenerator hmac = connection.createHMACGenerator();
        String address = connection.getTransport() + "://" + connection.getIp() + ":";
        ClientSocket shell = new ClientSocket(zmq, hmac, address + connection.getShellPort());
        ClientSocket control = new ClientSocket(zmq, hmac, address + connection.getControlPort());
        shell.ask(new Message<>(new Header<>(KernelInfoRequest.MESSAGE_TYPE), new KernelInfoRequest()),
                MessageType.KERNEL_INFO_REPLY);
        for (String cell : CELLS) {
            Message<ExecuteReply> reply = shell.ask(new Message<>(new Header<>(ExecuteRequest.MESSAGE_TYPE),
                    new ExecuteRequest(cell, false, true, Map.of(), false, false)), MessageType.EXECUTE_REPLY);
            if (reply == null || reply.getContent().getStatus() != ExecuteReply.Status.OK) {
                System.err.println("training: a cell did not run (the archive still holds what loaded): " + cell);
            }
        }
        control.ask(new Message<>(new Header<>(ShutdownRequest.MESSAGE_TYPE), ShutdownRequest.SHUTDOWN),
                MessageType.SHUTDOWN_REPLY);
        kernel.join(60_000);
        System.err.println("training: the kernel did not exit after its shutdown");
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

    /** The client end of a shell or control channel. */
    private static final class ClientSocket extends JupyterSocket {
        ClientSocket(ZMQ.Context context, HMACGenerator hmac, String address) {
            super(context, SocketType.DEALER, hmac, LOG);
            connect(address);
        }

        /** Sends a request and returns its reply, or null when none came in time. */
        <T> Message<T> ask(Message<?> request, MessageType<T> replyType) {
            sendMessage(request);
            long deadline = System.currentTimeMillis() + CELL_TIMEOUT_MS;
            while (true) {
                // readMessage would wait for ever: wait here, with a deadline, for something to read
                while ((getEvents() & ZMQ.Poller.POLLIN) == 0) {
                    if (System.currentTimeMillis() > deadline) return null;
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
                Message<?> reply = readMessage();
                if (reply == null) return null;
                if (reply.getHeader().getType() == replyType) {
                    @SuppressWarnings("unchecked") Message<T> typed = (Message<T>) reply;
                    return typed;
                }
            }
        }

        @Override
        public void bind(KernelConnectionProperties connection) {
            throw new UnsupportedOperationException("a client connects");
        }
    }
}
