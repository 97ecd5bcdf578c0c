package streaminglab.streaming;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import streaminglab.language.Messages;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Watches the sources of running queries for what Spark does not say. A Kafka query whose bootstrap servers
 * do not answer stays ACTIVE with no rows for as long as one waits ("Getting offsets from KafkaV2[…]"): its
 * live view says within seconds that nothing answers there. A query being stopped whose Kafka source still
 * waits for that silent broker is helped to stop (see {@link PromptStop}).
 */
public final class SourceWatch {
    private static final long TICK_MS = 1000;
    /** How often one query's bootstrap servers are tried. */
    private static final long CHECK_EVERY_MS = 3000;
    private static final int CONNECT_TIMEOUT_MS = 500;

    private final LiveViews views;
    private final UnaryOperator<String> silentKafkaAdvice;
    private final PrintStream log;
    private final PromptStop promptStop;
    private final Map<UUID, Long> lastChecked = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "source-watch");
        t.setDaemon(true);
        return t;
    });

    /**
     * silentKafkaAdvice: given the bootstrap servers that do not answer, what the student can do (start the lab's
     * broker, the address the lab's broker has), as a sentence to add; "" or null when the lab knows nothing more.
     */
    public SourceWatch(LiveViews views, SparkSession spark, UnaryOperator<String> silentKafkaAdvice, PrintStream log) {
        this.views = views;
        this.silentKafkaAdvice = silentKafkaAdvice;
        this.log = log;
        this.promptStop = new PromptStop(spark, log);
    }

    public SourceWatch start() {
        ticker.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    public void stop() {
        ticker.shutdownNow();
    }

    private void tick() {
        try {
            promptStop.tick();
            long now = System.currentTimeMillis();
            for (LiveView view : views.all()) {
                if (view.state() != LiveView.State.ACTIVE) {
                    lastChecked.remove(view.id());
                    continue;
                }
                Long last = lastChecked.get(view.id());
                if (last != null && now - last < CHECK_EVERY_MS) continue;
                lastChecked.put(view.id(), now);
                StreamingQuery query = views.query(view);
                if (query == null || !query.isActive()) continue;
                if (view.warn(kafkaWarning(view.facts().sources()))) view.display().changed();
            }
        } catch (RuntimeException e) {
            log.println("source watch: " + e); // a help, never a failure of its own
        }
    }

    /** What the view should say about the query's Kafka sources: null when every one answers (or it reads no Kafka). */
    private String kafkaWarning(List<String> sources) {
        for (String source : sources) {
            if (!source.startsWith("kafka ")) continue;
            String servers = source.substring("kafka ".length());
            if (anyAnswers(servers)) continue;
            String advice = silentKafkaAdvice == null ? null : silentKafkaAdvice.apply(servers);
            return Messages.text("liveview.kafka_silent", servers, advice == null ? "" : advice);
        }
        return null;
    }

    /** True if one of host:port[,host:port] accepts a connection within a moment. */
    static boolean anyAnswers(String servers) {
        for (String server : servers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) return true; // not an address the lab can try: say nothing
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))),
                        CONNECT_TIMEOUT_MS);
                return true;
            } catch (IOException | IllegalArgumentException e) {
                // try the next one
            }
        }
        return false;
    }
}
