package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import streaminglab.display.Table;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.MagicCall;
import streaminglab.magics.UsageError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** {@code %checkpoint show|clear DIR}: what Spark keeps in a query's checkpoint, and removing it. */
public final class CheckpointMagic implements Magic {
    static final String USAGE = String.join("\n",
            "%checkpoint show DIR     what Spark keeps in the checkpoint DIR: metadata (the query's id), offsets",
            "                         (what each micro-batch will read), commits (which batches finished),",
            "                         sources and state (aggregation state per operator and partition)",
            "%checkpoint clear DIR    remove the checkpoint, so the next query starts from scratch",
            "                         (refused while a running query uses it)");

    /** The parts of a checkpoint and what each is for, in the order a lesson explains them. */
    private static final String[][] PARTS = {
            {"metadata", "the query's id: a restarted query with this checkpoint is the same query"},
            {"offsets", "write-ahead log: the source offsets each micro-batch reads, written before it runs"},
            {"commits", "the micro-batches that finished, written after the sink has the results"},
            {"sources", "what each source recorded when the query first started"},
            {"state", "the state of stateful operators (aggregations, deduplication), per partition and version"},
    };

    private final Supplier<SparkSession> spark;

    public CheckpointMagic(Supplier<SparkSession> spark) {
        this.spark = spark;
    }

    @Override
    public String name() {
        return "checkpoint";
    }

    @Override
    public String summary() {
        return "show what a streaming checkpoint holds, or clear it";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public Object run(MagicCall call) throws Exception {
        MagicArgs args = call.args().accept(Set.of(), Set.of(), USAGE);
        List<String> words = args.positional();
        if (words.size() != 2 || !(words.get(0).equals("show") || words.get(0).equals("clear"))) {
            throw new UsageError("%checkpoint needs show or clear and one directory.", USAGE);
        }
        Path dir = Paths.get(words.get(1)).toAbsolutePath().normalize();
        if (!Files.exists(dir) && words.get(0).equals("clear")) {
            return "There is no checkpoint " + dir + " yet: nothing to clear, a query that uses it starts from scratch.";
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageError("There is no checkpoint directory " + dir + ".", USAGE);
        }
        if (!looksLikeCheckpoint(dir)) {
            throw new UsageError(dir + " does not look like a streaming checkpoint (no metadata, offsets or commits).", USAGE);
        }
        return words.get(0).equals("show") ? show(dir) : clear(dir);
    }

    private static boolean looksLikeCheckpoint(Path dir) {
        return Files.exists(dir.resolve("metadata")) || Files.isDirectory(dir.resolve("offsets"))
                || Files.isDirectory(dir.resolve("commits"));
    }

    private String clear(Path dir) throws IOException, UsageError {
        Optional<StreamingQuery> user = StreamingQueries.usingCheckpoint(spark.get(), dir);
        if (user.isPresent()) {
            StreamingQuery q = user.get();
            String name = q.name() != null ? q.name() : q.id().toString();
            throw new UsageError("The running query " + name + " uses " + dir + ": stop it first (%stream stop "
                    + name + "), then clear the checkpoint.", USAGE);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        return "Removed the checkpoint " + dir + ": the next query that uses it starts from scratch.";
    }

    private static DisplayData show(Path dir) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (String[] part : PARTS) {
            Path p = dir.resolve(part[0]);
            if (!Files.exists(p)) continue;
            rows.add(List.of(part[0] + (Files.isDirectory(p) ? "/" : ""), part[1], entries(p), latest(p)));
        }
        String metadata = read(dir.resolve("metadata"));
        Path lastOffsets = latestBatchFile(dir.resolve("offsets"));
        String offsets = lastOffsets == null ? null : read(lastOffsets);

        StringBuilder text = new StringBuilder("Checkpoint " + dir + "\n");
        StringBuilder html = new StringBuilder("<div><b>Checkpoint</b> <code>" + Table.escape(dir.toString()) + "</code>");
        html.append("<table><thead><tr><th style=\"text-align:left\">part</th><th style=\"text-align:left\">what Spark keeps there</th>")
                .append("<th style=\"text-align:left\">entries</th><th style=\"text-align:left\">latest</th></tr></thead><tbody>");
        for (List<String> r : rows) {
            text.append(String.format("  %-10s %-8s %-12s %s%n", r.get(0), r.get(2), r.get(3), r.get(1)));
            html.append("<tr>");
            for (int i : new int[]{0, 1, 2, 3}) html.append("<td style=\"text-align:left\">").append(Table.escape(r.get(i))).append("</td>");
            html.append("</tr>");
        }
        html.append("</tbody></table>");
        if (metadata != null) {
            text.append("metadata: ").append(metadata.trim()).append('\n');
            html.append("<p><b>metadata</b></p><pre>").append(Table.escape(metadata.trim())).append("</pre>");
        }
        if (offsets != null) {
            String label = "offsets/" + lastOffsets.getFileName();
            text.append(label).append(":\n").append(offsets.trim()).append('\n');
            html.append("<p><b>").append(label).append("</b> (the latest micro-batch's offsets)</p><pre>")
                    .append(Table.escape(offsets.trim())).append("</pre>");
        }
        html.append("</div>");
        DisplayData data = new DisplayData(text.toString().stripTrailing());
        data.putHTML(html.toString());
        return data;
    }

    private static String entries(Path p) throws IOException {
        if (!Files.isDirectory(p)) return "file";
        if (p.getFileName().toString().equals("state")) {
            try (Stream<Path> files = Files.walk(p)) {
                long versions = files.filter(f -> f.toString().endsWith(".delta") || f.toString().endsWith(".snapshot")
                        || f.toString().endsWith(".zip")).count();
                // state/<operator>/<partition>/; state/<operator>/_metadata is Spark's own note, not a partition
                long operators;
                long partitions;
                try (Stream<Path> ops = Files.list(p)) {
                    operators = ops.filter(f -> Files.isDirectory(f) && numbered(f)).count();
                }
                try (Stream<Path> parts = Files.walk(p, 2)) {
                    partitions = parts.filter(f -> p.relativize(f).getNameCount() == 2 && Files.isDirectory(f)
                            && numbered(f) && numbered(f.getParent())).count();
                }
                return (operators == 1 ? "1 operator, " : operators + " operators, ") + partitions + " partitions, "
                        + versions + " files";
            }
        }
        try (Stream<Path> files = Files.list(p)) {
            return String.valueOf(files.filter(f -> !f.getFileName().toString().startsWith(".")).count());
        }
    }

    private static boolean numbered(Path p) {
        return p.getFileName().toString().matches("\\d+");
    }

    private static String latest(Path p) throws IOException {
        if (!Files.isDirectory(p) || p.getFileName().toString().equals("state")) return "";
        Path last = latestBatchFile(p);
        return last == null ? "" : "batch " + last.getFileName();
    }

    private static Path latestBatchFile(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return null;
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString()))).orElse(null);
        }
    }

    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
