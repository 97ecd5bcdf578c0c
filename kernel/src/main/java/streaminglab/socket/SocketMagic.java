package streaminglab.socket;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.language.Messages;
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
    /** Lines a second of %socket feed without --rate. */
    static final double DEFAULT_RATE = 5;
    private static final double MAX_RATE = 100_000;

    /** The usage with the defaults in force: the address servers bind (a setting), the port, the rate. */
    private final String usage;

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
        // the kernel chooses its language before it makes its magics
        this.usage = Messages.text("socket.usage", host, DEFAULT_PORT, (long) DEFAULT_RATE);
        this.router = router;
        this.readersOfPort = readersOfPort;
    }

    @Override
    public String name() {
        return "socket";
    }

    @Override
    public String summary() {
        return Messages.text("socket.summary");
    }

    @Override
    public String usage() {
        return usage;
    }

    @Override
    public boolean isCell() {
        return true;
    }

    @Override
    public synchronized Object run(MagicCall call) throws Exception {
        MagicArgs args = call.args().accept(Set.of("rate", "port"), Set.of("loop", "stop", "wait"), usage);
        List<String> words = args.positional();
        if (words.isEmpty()) throw new UsageError(Messages.text("socket.needs_subcommand"), usage);
        String sub = words.get(0);
        if (call.isCell()) {
            if (!sub.equals("send")) throw new UsageError(Messages.text("socket.cell_is_for_send"), usage);
            return send(port(words, 1), call.body());
        }
        return switch (sub) {
            case "start" -> start(port(words, 1));
            case "send" -> throw new UsageError(Messages.text("socket.send_needs_cell"), usage);
            case "feed" -> feed(args, words);
            case "status" -> status();
            case "stop" -> stop(words.size() > 1 ? port(words, 1) : -1);
            default -> throw new UsageError(Messages.text("socket.unknown_subcommand", sub), usage);
        };
    }

    private int port(List<String> words, int at) throws UsageError {
        if (words.size() <= at) return DEFAULT_PORT;
        if (words.size() > at + 1) throw new UsageError(Messages.text("socket.too_many_arguments", words.subList(at + 1, words.size())), usage);
        return parsePort(words.get(at));
    }

    private int parsePort(String word) throws UsageError {
        try {
            int port = Integer.parseInt(word);
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return port;
        } catch (NumberFormatException e) {
            throw new UsageError(Messages.text("socket.bad_port", word), usage);
        }
    }

    private String start(int port) throws IOException {
        if (servers.containsKey(port)) {
            return Messages.text("socket.already_running", host, port, servers.get(port).clients());
        }
        servers.put(port, SocketTextServer.start(host, port));
        return Messages.text("socket.listening", host, port);
    }

    private String send(int port, String body) throws UsageError {
        SocketTextServer server = servers.get(port);
        if (server == null) throw new UsageError(Messages.text("socket.no_server", port), usage);
        List<String> lines = body.isEmpty() ? List.of() : Arrays.asList(body.split("\r?\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines = lines.subList(0, lines.size() - 1);
        if (lines.isEmpty()) throw new UsageError(Messages.text("socket.no_lines"), usage);
        // a query that was just started connects when its first micro-batch is planned: give it that moment
        int readers = readersOfPort.applyAsInt(port);
        if (server.clients() < readers) server.awaitClients(readers, CONNECT_WAIT_MS);
        int clients = server.send(lines);
        if (clients == 0) {
            return Messages.text("socket.not_delivered", port, lines.size());
        }
        return Messages.text("socket.sent", lines.size(), clients, port);
    }

    private Object feed(MagicArgs args, List<String> words) throws UsageError, IOException, InterruptedException {
        if (args.has("stop")) {
            int n = 0;
            for (SocketFeeder f : feeders) if (f.stop()) n++;
            feeders.clear();
            return n == 0 ? Messages.text("socket.no_feeder") : Messages.text("socket.feeders_stopped", n);
        }
        if (words.size() != 2) throw new UsageError(Messages.text("socket.feed_needs_file"), usage);
        Path file = files.apply(words.get(1));
        if (!Files.isRegularFile(file)) throw new UsageError(Messages.text("socket.no_file", file.toAbsolutePath()), usage);
        int port = args.has("port") ? parsePort(args.option("port", "")) : DEFAULT_PORT;
        SocketTextServer server = servers.get(port);
        if (server == null) throw new UsageError(Messages.text("socket.no_server", port), usage);
        double rate = linesPerSecond(args, usage);
        List<String> lines = textLines(file);
        if (lines.isEmpty()) throw new UsageError(Messages.text("socket.empty_file", file), usage);
        CellOutput cell = router.current();
        SocketFeeder feeder = new SocketFeeder(server, lines, rate, args.has("loop"), router, cell, file.getFileName().toString(),
                readersOfPort.applyAsInt(port), CONNECT_WAIT_MS);
        if (args.has("wait") && args.has("loop")) throw new UsageError(Messages.text("socket.wait_and_loop"), usage);
        feeders.add(feeder);
        feeder.start();
        if (args.has("wait")) feeder.awaitEnd();
        return null; // the feeder shows its own progress
    }

    /** --rate of %socket feed: lines a second (DEFAULT_RATE when not given). Package-private for its tests (SocketFeedRateTest). */
    static double linesPerSecond(MagicArgs args, String usage) throws UsageError {
        return args.rateOption("rate", DEFAULT_RATE, MAX_RATE, Messages.text("socket.rate_things"), usage);
    }

    /** The file's lines; a file that is not UTF-8 text (an image, a zip) is refused with where it stops being text. */
    private List<String> textLines(Path file) throws IOException, UsageError {
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
            throw new UsageError(Messages.text("socket.not_text", file, at, String.format("0x%02X", bytes[at] & 0xFF)), usage);
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
        if (servers.isEmpty()) return new DisplayData(Messages.text("socket.none_running"));
        StringBuilder text = new StringBuilder();
        List<String> header = new ArrayList<>();
        for (String column : List.of("address", "clients", "lines_sent", "feeders")) header.add(Messages.text("socket.column." + column));
        List<List<String>> rows = new ArrayList<>();
        for (SocketTextServer s : servers.values()) {
            long feeding = feeders.stream().filter(f -> f.server() == s && f.isRunning()).count();
            text.append(Messages.text("socket.status_line", s.host(), s.port(), s.clients(), s.linesSent(), feeding))
                    .append(System.lineSeparator());
            rows.add(List.of(s.host() + ":" + s.port(), String.valueOf(s.clients()), String.valueOf(s.linesSent()),
                    String.valueOf(feeding)));
        }
        return Displays.of(text.toString().stripTrailing(), Html.grid(header, rows));
    }

    private String stop(int port) {
        if (servers.isEmpty()) return Messages.text("socket.nothing_to_stop");
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
                readersNote.append(System.lineSeparator()).append(Messages.text(readers == 1 ? "socket.readers.one"
                        : "socket.readers.many", readers, p, Messages.text("liveview.state.active")));
            }
        }
        if (stopped.isEmpty()) return Messages.text("socket.no_server_on", port);
        return Messages.text("socket.stopped", String.join(", ", stopped)) + readersNote;
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
