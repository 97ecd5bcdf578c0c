package streaminglab.streaming;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import streaminglab.display.Displays;
import streaminglab.display.Html;
import streaminglab.language.Messages;
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
    // the kernel chooses its language before it makes its magics
    static final String USAGE = Messages.text("checkpoint.usage");

    /** The parts of a checkpoint, in the order a lesson explains them; what each is for is checkpoint.part.NAME. */
    private static final String[] PARTS = {"metadata", "offsets", "commits", "sources", "state"};

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
        return Messages.text("checkpoint.summary");
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
            throw new UsageError(Messages.text("checkpoint.needs_show_or_clear"), USAGE);
        }
        Path dir = Paths.get(words.get(1)).toAbsolutePath().normalize();
        if (!Files.exists(dir) && words.get(0).equals("clear")) {
            return Messages.text("checkpoint.nothing_to_clear", dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageError(Messages.text("checkpoint.no_directory", dir), USAGE);
        }
        if (!looksLikeCheckpoint(dir)) {
            throw new UsageError(Messages.text("checkpoint.not_a_checkpoint", dir), USAGE);
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
            throw new UsageError(Messages.text("checkpoint.in_use", name, dir), USAGE);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        return Messages.text("checkpoint.removed", dir);
    }

    private static DisplayData show(Path dir) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (String part : PARTS) {
            Path p = dir.resolve(part);
            if (!Files.exists(p)) continue;
            rows.add(List.of(part + (Files.isDirectory(p) ? "/" : ""), Messages.text("checkpoint.part." + part), entries(p), latest(p)));
        }
        String metadata = read(dir.resolve("metadata"));
        Path lastOffsets = latestBatchFile(dir.resolve("offsets"));
        String offsets = lastOffsets == null ? null : read(lastOffsets);

        String title = Messages.text("checkpoint.title");
        StringBuilder text = new StringBuilder(title + " " + dir + "\n");
        List<String> header = new ArrayList<>();
        for (String column : List.of("part", "what", "entries", "latest")) header.add(Messages.text("checkpoint.column." + column));
        List<String> html = new ArrayList<>();
        html.add(Html.paragraph(Html.line().bold(title).text(" ").code(dir.toString())));
        html.add(Html.grid(header, rows));
        for (List<String> r : rows) text.append(String.format("  %-10s %-8s %-12s %s%n", r.get(0), r.get(2), r.get(3), r.get(1)));
        if (metadata != null) {
            text.append("metadata: ").append(metadata.trim()).append('\n');
            html.add(Html.paragraph(Html.line().bold("metadata")));
            html.add(Html.preformatted(metadata.trim()));
        }
        if (offsets != null) {
            String label = "offsets/" + lastOffsets.getFileName();
            text.append(label).append(":\n").append(offsets.trim()).append('\n');
            html.add(Html.paragraph(Html.line().bold(label).text(" " + Messages.text("checkpoint.latest_offsets"))));
            html.add(Html.preformatted(offsets.trim()));
        }
        return Displays.of(text.toString().stripTrailing(), Html.section("checkpoint", html.toArray(String[]::new)));
    }

    private static String entries(Path p) throws IOException {
        if (!Files.isDirectory(p)) return Messages.text("checkpoint.file");
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
                return Messages.text(operators == 1 ? "checkpoint.state_entries.one" : "checkpoint.state_entries.many",
                        operators, partitions, versions);
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
        return last == null ? "" : Messages.text("checkpoint.latest_batch", last.getFileName());
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
