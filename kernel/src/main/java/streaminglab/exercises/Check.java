package streaminglab.exercises;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an exercise's check file says: where the student's result is (a running query's memory
 * table, or a Dataset) and what it should hold (a Dataset the check computes, usually a batch
 * query over the exercise's input). {@code %check NAME} runs the file and shows the outcome.
 *
 * <pre>
 * // checks/top_words.jsh
 * Check.named("top words")
 *      .query("top_words")                       // waits until the query has read all its input
 *      .expect(spark.sql("SELECT ..."))          // the right answer, computed by the check
 *      .columns("word", "count")
 *      .ordered()
 * </pre>
 */
public final class Check {
    private static final int WAIT_SECONDS = 90;

    private String title;
    private String queryName;
    private Dataset<Row> got;
    private Dataset<Row> expected;
    private List<String> columns;
    private boolean ordered;
    private final List<String> hints = new ArrayList<>();

    private Check(String title) {
        this.title = title;
    }

    public static Check named(String title) {
        return new Check(title);
    }

    /**
     * The title in another language ("ko"), shown instead of the English one when the notebook speaks it:
     * {@code Check.named("Top words").named("ko", "상위 단어")}.
     */
    public Check named(String language, String title) {
        if (Messages.speaks(language)) this.title = title;
        return this;
    }

    /** The student's result is the memory table of the streaming query with this name. */
    public Check query(String name) {
        this.queryName = name;
        return this;
    }

    /** The student's result is this Dataset (a batch one, or a variable of the notebook). */
    public Check result(Dataset<Row> dataset) {
        this.got = dataset;
        return this;
    }

    public Check expect(Dataset<Row> dataset) {
        this.expected = dataset;
        return this;
    }

    /** Compare only these columns (the student's result may have more). */
    public Check columns(String... names) {
        this.columns = Arrays.asList(names);
        return this;
    }

    /** Rows must come in the same order (e.g. a top-N sorted by count). */
    public Check ordered() {
        this.ordered = true;
        return this;
    }

    /** A hint shown when the result is not right yet. */
    public Check hint(String text) {
        hints.add(text);
        return this;
    }

    /**
     * The last hint in another language ("ko"): {@code .hint("Sort by count.").hint("ko", "개수로 정렬하세요.")}
     * shows the Korean one in a Korean notebook, the English one elsewhere.
     */
    public Check hint(String language, String text) {
        if (hints.isEmpty()) throw new IllegalStateException(Messages.text("check.hint_first", language));
        if (Messages.speaks(language)) hints.set(hints.size() - 1, text);
        return this;
    }

    /** Runs the check; the kernel renders what it returns. */
    public CheckResult run() {
        SparkSession spark = SparkSession.active();
        if (expected == null) throw new IllegalStateException(Messages.text("check.no_expect", title));
        Dataset<Row> actual = got;
        if (queryName != null) {
            String problem = catchUp(spark, queryName);
            if (problem != null) return CheckResult.problem(title, problem, hints);
            if (!spark.catalog().tableExists(queryName)) {
                return CheckResult.problem(title, Messages.text("check.no_table", queryName), hints);
            }
            actual = spark.table(queryName);
        }
        if (actual == null) return CheckResult.problem(title, Messages.text("check.nothing_to_check"), hints);

        List<String> wanted = columns != null ? columns : Arrays.asList(expected.columns());
        List<String> have = Arrays.asList(actual.columns());
        List<String> missing = new ArrayList<>();
        for (String c : wanted) if (have.stream().noneMatch(h -> h.equalsIgnoreCase(c))) missing.add(c);
        if (!missing.isEmpty()) {
            return CheckResult.problem(title, Messages.text(missing.size() == 1 ? "check.missing_columns.one"
                    : "check.missing_columns.many", have, wanted, String.join(", ", missing)), hints);
        }
        List<List<String>> gotRows = rows(actual, wanted);
        List<List<String>> expectedRows = rows(expected, wanted);
        return CheckResult.compare(title, wanted, expectedRows, gotRows, ordered, hints);
    }

    /** Waits until the query has processed everything available; a message when it cannot. */
    private static String catchUp(SparkSession spark, String name) {
        StreamingQuery query = null;
        for (StreamingQuery q : spark.streams().active()) if (name.equals(q.name())) query = q;
        if (query == null) {
            if (spark.catalog().tableExists(name)) return null; // stopped, its table stays
            return Messages.text("check.no_query", name);
        }
        StreamingQuery q = query;
        CompletableFuture<Void> idle = CompletableFuture.runAsync(q::processAllAvailable);
        try {
            idle.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (TimeoutException e) {
            return Messages.text("check.query_timeout", name, WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Messages.text("check.interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String message = String.valueOf(cause.getMessage()).split("\n")[0];
            return Messages.text("check.query_failed", name, message);
        }
    }

    private static List<List<String>> rows(Dataset<Row> data, List<String> columns) {
        List<String> exprs = new ArrayList<>();
        for (String c : columns) exprs.add("CAST(`" + c.replace("`", "``") + "` AS STRING) AS `" + c.toLowerCase(Locale.ROOT) + "`");
        List<List<String>> out = new ArrayList<>();
        for (Row r : data.selectExpr(exprs.toArray(new String[0])).collectAsList()) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < r.length(); i++) cells.add(r.isNullAt(i) ? "null" : r.getString(i));
            out.add(cells);
        }
        return out;
    }
}
