package streaminglab.magics;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import streaminglab.display.ValueRenderer;
import streaminglab.language.Messages;
import streaminglab.spark.SparkStarter;

import java.util.Set;

/** {@code %%sql}: runs the cell body as Spark SQL and shows the result as a table. */
public final class SqlMagic implements Magic {
    private static final String USAGE = Messages.text("sql.usage");

    private final SparkStarter spark;
    private final ValueRenderer renderer;
    private final int defaultMaxRows;

    public SqlMagic(SparkStarter spark, ValueRenderer renderer, int defaultMaxRows) {
        this.spark = spark;
        this.renderer = renderer;
        this.defaultMaxRows = defaultMaxRows;
    }

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public String summary() {
        return Messages.text("sql.summary");
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public boolean isLine() {
        return false;
    }

    @Override
    public boolean isCell() {
        return true;
    }

    @Override
    public Object run(MagicCall call) throws Exception {
        MagicArgs args = call.args().accept(Set.of("max-rows"), Set.of(), USAGE);
        if (!args.positional().isEmpty()) {
            throw new UsageError(Messages.text("sql.unexpected_argument", args.positional().get(0)), USAGE);
        }
        int maxRows = args.intOption("max-rows", defaultMaxRows, 1, 10_000, USAGE);
        String sql = call.body().trim();
        if (sql.endsWith(";")) sql = sql.substring(0, sql.length() - 1);
        if (sql.isBlank()) throw new UsageError(Messages.text("sql.no_sql"), USAGE);
        Dataset<Row> result = spark.session().sql(sql);
        return renderer.render(result, maxRows);
    }
}
