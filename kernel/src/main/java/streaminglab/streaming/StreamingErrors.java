package streaminglab.streaming;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import streaminglab.execution.CellError;
import streaminglab.language.Messages;

import java.util.List;
import java.util.UUID;
import java.util.function.BinaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark's errors about starting a query, said in the lab's words: which running query is in the way; a
 * socket query with no server where it reads gets the command that starts one.
 * Also the words a failed query's view adds to Spark's error, from the part of the lab that knows the
 * cause (Kafka gone, a topic deleted): handed to the live views by the kernel, so this package does not
 * depend on that part.
 */
public final class StreamingErrors {
    private static final Pattern SAME_ID = Pattern.compile("Cannot start query with id ([0-9a-f-]{36}) as another query with same id is already active");
    private static final Pattern SAME_NAME = Pattern.compile("Cannot start query with name (.+?) as a query with that name is already active");

    private StreamingErrors() {
    }

    /** An explanation of the failure, or null when it is not one of these. views: the live views, or null before Spark. */
    public static CellError explain(Throwable failure, SparkSession spark, LiveViews views) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            Matcher named = SAME_NAME.matcher(message);
            if (named.find()) return sameName(named.group(1), spark, views);
            Matcher m = SAME_ID.matcher(message);
            if (m.find() && spark != null) {
                StreamingQuery running = spark.streams().get(UUID.fromString(m.group(1)));
                String name = running == null ? m.group(1) : running.name() != null ? running.name() : running.id().toString();
                var execution = running == null ? null : StreamingQueries.execution(running);
                String where = execution == null ? "" : " (" + execution.resolvedCheckpointRoot() + ")";
                String text = Messages.text("streaming.checkpoint_in_use", where, name);
                return new CellError("QueryAlreadyRunning", text, List.of(text), null);
            }
        }
        return null;
    }

    /** A query name is taken by a running query: which one, where it was started, and how to stop it. */
    private static CellError sameName(String name, SparkSession spark, LiveViews views) {
        StreamingQuery running = null;
        if (spark != null) {
            for (StreamingQuery q : spark.streams().active()) if (name.equals(q.name())) running = q;
        }
        String which = "";
        if (running != null) {
            LiveView view = views == null ? null : views.find(name).orElse(null);
            String cell = view != null && view.id().equals(running.id())
                    ? Messages.text("streaming.name_taken.cell", view.origin().executionCount()) : "";
            which = Messages.text("streaming.name_taken.id", running.id(), cell);
        }
        String text = Messages.text("streaming.name_taken", name, which);
        return new CellError("QueryAlreadyRunning", text, List.of(text), null);
    }

    /**
     * What a failed query's view says: what to do when the lab knows the cause, then Spark's own line. failureAdvice:
     * who explains a failure in plain words, given Spark's whole error text and the query's checkpoint (advice or
     * null); the kernel hands it to the live views, so this package does not depend on the part that knows.
     * sources: where the query's sources read, as its view noted when it started.
     */
    static String forFailedQuery(String exception, String sparkLine, String checkpoint, BinaryOperator<String> failureAdvice,
                                 List<String> sources) {
        String advice;
        try {
            advice = failureAdvice.apply(exception, checkpoint);
        } catch (RuntimeException e) {
            advice = null; // advice is a help, never a second failure in the listener
        }
        if (advice == null) advice = changedQuery(exception, checkpoint);
        if (advice == null) advice = noSocketServer(exception, sources);
        return advice == null ? sparkLine : advice + "\n" + sparkLine; // the lab's plain words first, Spark's line kept
    }

    private static final List<String> THIS_MACHINE = List.of("localhost", "127.0.0.1", "::1", "0.0.0.0");

    /**
     * A socket query with nothing listening where it reads: which command starts the lab's text server there.
     * sources: where the query's sources read ("socket HOST:PORT"), as its live view noted when it started.
     */
    static String noSocketServer(String exception, List<String> sources) {
        if (exception == null || !exception.contains("java.net.ConnectException") || sources == null) return null;
        String socket = sources.stream().filter(s -> s.startsWith("socket ")).findFirst().orElse(null);
        if (socket == null) return null;
        String address = socket.substring("socket ".length());
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        boolean here = THIS_MACHINE.contains(host.toLowerCase(java.util.Locale.ROOT));
        return Messages.text(here ? "streaming.socket_no_server" : "streaming.socket_no_server.elsewhere", host, port);
    }

    /** Spark's ways of saying that the checkpoint was written by a different query. */
    private static final List<String> CHANGED_QUERY = List.of(
            "StateSchemaNotCompatible", "schema doesn't match to the schema for existing state",
            "InvalidUnsafeRowException", "state format invalidation",
            "sources in the checkpoint offsets and now there are");

    /** A checkpoint that belongs to another query (its grouping, aggregation or sources changed), said plainly. */
    static String changedQuery(String exception, String checkpoint) {
        if (exception == null || CHANGED_QUERY.stream().noneMatch(exception::contains)) return null;
        String dir = checkpoint == null ? "DIR" : StreamingQueries.normalize(checkpoint).toString();
        return Messages.text("streaming.changed_query", dir);
    }
}
