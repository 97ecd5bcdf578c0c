package streaminglab.socket;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.MagicCall;
import streaminglab.magics.UsageError;
import streaminglab.output.CellOutput;
import streaminglab.output.OutputRouter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/** {@code %socket} and {@code %%socket send}: the lab's text socket servers, in place of ncat. */
public final class SocketMagic implements Magic, AutoCloseable {
    public static final int DEFAULT_PORT = 9999;
    static final String USAGE = String.join("\n",
            "%socket start [PORT]                       start a text server on 127.0.0.1:PORT (default 9999),",
            "                                           like `ncat -lk 9999`; Spark's socket source connects to it",
            "%%socket send [PORT]                       send each line of the cell body to every connected client",
            "%socket feed FILE [--rate N/s] [--loop | --wait] [--port PORT]",
            "                                           send the lines of FILE in the background, N lines a second",
            "                                           (default 5/s; --rate 5 is the same), from the top again with",
            "                                           --loop; --wait returns when the whole file has been sent",
            "%socket feed --stop                        stop the feeders",
            "%socket status                             servers, clients, lines sent",
            "%socket stop [PORT]                        stop the server (all servers without PORT)");

    private final String host;
    private final OutputRouter router;
    private final Map<Integer, SocketTextServer> servers = new TreeMap<>();
    private final List<SocketFeeder> feeders = new ArrayList<>();

    /** How long a send waits for a streaming query that is starting to connect. */
    private static final long CONNECT_WAIT_MS = 15_000;

    private final IntUnaryOperator readersOfPort;

    /** readersOfPort: how many running queries read a socket source on a port (they should all get the lines). */
    /** Where a FILE of %socket feed is: beside the notebook, else the course's file of that path. */
    private java.util.function.Function<String, Path> files = Paths::get;

    public SocketMagic(String host, OutputRouter router, IntUnaryOperator readersOfPort) {
        this.host = host;
        this.router = router;
        this.readersOfPort = readersOfPort;
    }

    @Override
    public String name() {
        return "socket";
    }

    @Override
    public String summary() {
        return "text socket server for the socket source (start, send, feed, status, stop)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public boolean isCell() {
        return true;
    }

    @Override
    public synchronized Object run(MagicCall call) throws Exception {
        MagicArgs args = call.args().accept(Set.of("rate", "port"), Set.of("loop", "stop", "wait"), USAGE);
        List<String> words = args.positional();
        if (words.isEmpty()) throw new UsageError("%socket needs a subcommand: start, send, feed, status or stop.", USAGE);
        String sub = words.get(0);
        if (call.isCell()) {
            if (!sub.equals("send")) throw new UsageError("%%socket is for send: %%socket send [PORT], the lines below.", USAGE);
            return send(port(words, 1), call.body());
        }
        return switch (sub) {
            case "start" -> start(port(words, 1));
            case "send" -> throw new UsageError("send takes its lines from the cell body: use %%socket send on the first line.", USAGE);
            case "feed" -> feed(args, words);
            case "status" -> status();
            case "stop" -> stop(words.size() > 1 ? port(words, 1) : -1);
            default -> throw new UsageError("Unknown subcommand '" + sub + "'.", USAGE);
        };
    }

    private static int port(List<String> words, int at) throws UsageError {
        if (words.size() <= at) return DEFAULT_PORT;
        if (words.size() > at + 1) throw new UsageError("Too many arguments: " + words.subList(at + 1, words.size()) + ".", USAGE);
        return parsePort(words.get(at));
    }

    private static int parsePort(String word) throws UsageError {
        try {
            int port = Integer.parseInt(word);
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new UsageError("A port is a number from 1 to 65535, not '" + word + "'.", USAGE);
        }
    }

    private String start(int port) throws IOException {
        if (servers.containsKey(port)) {
            return "The socket server on " + host + ":" + port + " is already running (" + servers.get(port).clients() + " clients).";
        }
        servers.put(port, SocketTextServer.start(host, port));
        return "Socket server listening on " + host + ":" + port
                + ". Read it with spark.readStream().format(\"socket\").option(\"host\", \"localhost\").option(\"port\", " + port
                + ").load(), then send lines with %%socket send.";
    }

    private String send(int port, String body) throws UsageError {
        SocketTextServer server = servers.get(port);
        if (server == null) throw new UsageError("No socket server on port " + port + ": start it with %socket start " + port + ".", USAGE);
        List<String> lines = body.isEmpty() ? List.of() : Arrays.asList(body.split("\r?\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines = lines.subList(0, lines.size() - 1);
        if (lines.isEmpty()) throw new UsageError("There are no lines below %%socket send.", USAGE);
        // a query that was just started connects when its first micro-batch is planned: give it that moment
        int readers = readersOfPort.applyAsInt(port);
        if (server.clients() < readers) server.awaitClients(readers, CONNECT_WAIT_MS);
        int clients = server.send(lines);
        if (clients == 0) {
            return "Not delivered: no client is connected to port " + port + ", so the " + lines.size()
                    + " line(s) went nowhere. Start the streaming query that reads the socket first, then send again.";
        }
        return "Sent " + lines.size() + " line(s) to " + clients + " client(s) on port " + port + ".";
    }

    private Object feed(MagicArgs args, List<String> words) throws UsageError, IOException, InterruptedException {
        if (args.has("stop")) {
            int n = 0;
            for (SocketFeeder f : feeders) if (f.stop()) n++;
            feeders.clear();
            return n == 0 ? "No feeder was running." : "Stopped " + n + " feeder(s).";
        }
        if (words.size() != 2) throw new UsageError("%socket feed needs one FILE.", USAGE);
        Path file = files.apply(words.get(1));
        if (!Files.isRegularFile(file)) throw new UsageError("There is no file " + file.toAbsolutePath() + ".", USAGE);
        int port = args.has("port") ? parsePort(args.option("port", "")) : DEFAULT_PORT;
        SocketTextServer server = servers.get(port);
        if (server == null) throw new UsageError("No socket server on port " + port + ": start it with %socket start " + port + ".", USAGE);
        int rate = linesPerSecond(args.option("rate", "5/s"));
        List<String> lines = textLines(file);
        if (lines.isEmpty()) throw new UsageError(file + " is empty: nothing to feed.", USAGE);
        CellOutput cell = router.current();
        SocketFeeder feeder = new SocketFeeder(server, lines, rate, args.has("loop"), cell, file.getFileName().toString(),
                readersOfPort.applyAsInt(port), CONNECT_WAIT_MS);
        if (args.has("wait") && args.has("loop")) throw new UsageError("--wait and --loop do not go together: a loop never ends.", USAGE);
        feeders.add(feeder);
        feeder.start();
        if (args.has("wait")) feeder.awaitEnd();
        return null; // the feeder shows its own progress
    }

    private static final java.util.regex.Pattern RATE = java.util.regex.Pattern.compile("(\\d+)(/s)?");
    private static final int MAX_RATE = 100_000;

    /** --rate N/s, or N alone: lines a second. Other units are refused rather than guessed. */
    static int linesPerSecond(String value) throws UsageError {
        java.util.regex.Matcher m = RATE.matcher(value.trim());
        if (!m.matches()) {
            throw new UsageError("--rate is lines a second, written N/s (or N): --rate 5/s sends 5 lines a second. '"
                    + value + "' is not that" + (value.contains("/") ? "; only /s is understood." : "."), USAGE);
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE;
        }
        if (n < 1 || n > MAX_RATE) {
            throw new UsageError("--rate must be between 1/s and " + MAX_RATE + "/s, not " + value.trim() + ".", USAGE);
        }
        return (int) n;
    }

    /** The file's lines; a file that is not UTF-8 text (an image, a zip) is refused with where it stops being text. */
    private static List<String> textLines(Path file) throws IOException, UsageError {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, text, true);
        int nul = indexOfNul(bytes);
        if (result.isError() || nul >= 0) {
            int at = result.isError() ? in.position() : nul;
            if (nul >= 0) at = Math.min(at, nul);
            throw new UsageError(String.format("%s is not a text file: byte %d (0x%02X) is not UTF-8 text. "
                    + "%%socket feed sends the lines of a text file; the socket source reads text lines.",
                    file, at, bytes[at] & 0xFF), USAGE);
        }
        text.flip();
        List<String> lines = new ArrayList<>(Arrays.asList(text.toString().split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        return lines;
    }

    private static int indexOfNul(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == 0) return i;
        return -1;
    }

    private DisplayData status() {
        if (servers.isEmpty()) return new DisplayData("No socket server is running: %socket start [PORT] starts one.");
        StringBuilder text = new StringBuilder();
        StringBuilder html = new StringBuilder("<table><thead><tr><th>address</th><th>clients</th><th>lines sent</th><th>feeders</th></tr></thead><tbody>");
        for (SocketTextServer s : servers.values()) {
            long feeding = feeders.stream().filter(f -> f.server() == s && f.isRunning()).count();
            text.append(String.format("%s:%d  %d clients, %d lines sent, %d feeders%n", s.host(), s.port(), s.clients(),
                    s.linesSent(), feeding));
            html.append("<tr><td>").append(s.host()).append(':').append(s.port()).append("</td><td>").append(s.clients())
                    .append("</td><td>").append(s.linesSent()).append("</td><td>").append(feeding).append("</td></tr>");
        }
        html.append("</tbody></table>");
        DisplayData data = new DisplayData(text.toString().stripTrailing());
        data.putHTML(html.toString());
        return data;
    }

    private String stop(int port) {
        if (servers.isEmpty()) return "No socket server is running.";
        List<Integer> ports = port < 0 ? new ArrayList<>(servers.keySet()) : List.of(port);
        List<String> stopped = new ArrayList<>();
        StringBuilder readersNote = new StringBuilder();
        for (int p : ports) {
            SocketTextServer s = servers.remove(p);
            if (s == null) continue;
            feeders.removeIf(f -> f.server() == s && f.stop());
            s.close();
            stopped.add(String.valueOf(p));
            int readers = readersOfPort.applyAsInt(p);
            if (readers > 0) {
                // Spark's socket source reads until the connection ends and never connects again
                readersNote.append(String.format("%n%d running quer%s read port %d: Spark's socket source does not "
                        + "connect again, so %s no more lines (and stay%s ACTIVE). After %%socket start %d, stop %s "
                        + "(%%stream list) and run %s cell%s again.", readers, readers == 1 ? "y" : "ies", p,
                        readers == 1 ? "it gets" : "they get", readers == 1 ? "s" : "", p,
                        readers == 1 ? "it" : "them", readers == 1 ? "its" : "their", readers == 1 ? "" : "s"));
            }
        }
        if (stopped.isEmpty()) return "No socket server on port " + port + ".";
        return "Stopped the socket server on port " + String.join(", ", stopped) + "." + readersNote;
    }

    /** How FILE arguments are found (the kernel looks in the course folder too). */
    public void findFilesWith(java.util.function.Function<String, Path> finder) {
        this.files = finder;
    }

    /** Stops every feeder and server; the kernel calls this when it stops. */
    @Override
    public synchronized void close() {
        feeders.forEach(SocketFeeder::stop);
        feeders.clear();
        servers.values().forEach(SocketTextServer::close);
        servers.clear();
    }
}
