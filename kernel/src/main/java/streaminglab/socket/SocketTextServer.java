package streaminglab.socket;

import streaminglab.language.Messages;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A text server in place of {@code ncat -lk 9999}: listens on one port, keeps every client that
 * connects (Spark's socket source is one), and sends each line to all of them.
 */
public final class SocketTextServer implements AutoCloseable {
    private final String host;
    private final ServerSocket server;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final AtomicLong linesSent = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;
    private final Object connected = new Object();

    private SocketTextServer(String host, ServerSocket server) {
        this.host = host;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "socket-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on host:port; a port in use is an IOException that says so. */
    public static SocketTextServer start(String host, int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (BindException e) {
            socket.close();
            throw new IOException(Messages.text("socket.port_in_use", port, host), e);
        }
        return new SocketTextServer(host, socket);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                clients.add(client);
                connections.incrementAndGet();
                watchForHangUp(client);
                synchronized (connected) {
                    connected.notifyAll();
                }
            } catch (IOException e) {
                if (server.isClosed()) return;
            }
        }
    }

    /** Clients never send: a read returns only when one hangs up (its query stopped), and it is forgotten. */
    private void watchForHangUp(Socket client) {
        Thread watcher = new Thread(() -> {
            try {
                while (client.getInputStream().read() >= 0) {
                    // whatever a client sends is ignored
                }
            } catch (IOException gone) {
                // same as a hang-up
            }
            clients.remove(client);
            closeQuietly(client);
        }, "socket-client-" + server.getLocalPort());
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Waits up to timeoutMs until at least count clients are connected; true if they are. */
    public boolean awaitClients(int count, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (connected) {
            while (clients() < count) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return false;
                try {
                    connected.wait(Math.min(left, 200));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Sends each line (with a newline) to every client; returns how many clients got them. */
    public synchronized int send(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) sb.append(line).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        int delivered = 0;
        for (Socket client : clients) {
            try {
                OutputStream out = client.getOutputStream();
                out.write(bytes);
                out.flush();
                delivered++;
            } catch (IOException gone) {
                // the client went away (its query stopped): forget it
                clients.remove(client);
                closeQuietly(client);
            }
        }
        if (delivered > 0) linesSent.addAndGet(lines.size());
        return delivered;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String host() {
        return host;
    }

    /** Clients connected now (closed ones are noticed when a send fails). */
    public int clients() {
        clients.removeIf(Socket::isClosed);
        return clients.size();
    }

    public long linesSent() {
        return linesSent.get();
    }

    public long connectionsSoFar() {
        return connections.get();
    }

    @Override
    public void close() {
        closeQuietly(server);
        for (Socket client : clients) closeQuietly(client);
        clients.clear();
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
