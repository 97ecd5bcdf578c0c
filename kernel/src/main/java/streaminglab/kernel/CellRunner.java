package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import streaminglab.display.ValueRenderer;
import streaminglab.execution.CellError;
import streaminglab.execution.JavaEvaluator;
import streaminglab.language.Messages;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicArgs;
import streaminglab.magics.MagicCall;
import streaminglab.magics.MagicRegistry;
import streaminglab.magics.Page;
import streaminglab.spark.CellJobs;
import streaminglab.spark.SparkStarter;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs one cell, part by part (magics and Java), on the cell thread, and renders its value. */
final class CellRunner {
    private static final Pattern USES_SPARK = Pattern.compile("\\bspark\\b");
    /** A cell that is only a name and a question mark or two ({@code Dataset?}, {@code %stream?}), as in IPython. */
    private static final Pattern ASKS_ABOUT = Pattern.compile("\\s*(%{0,2}[\\p{L}_$][\\p{L}\\p{N}_$.]*)\\s*\\?{1,2}\\s*");
    private static final String DECLARE_SPARK = "SparkSession spark = streaminglab.runtime.Lab.spark();";

    private final JavaEvaluator java;
    private final MagicRegistry magics;
    private final ValueRenderer renderer;
    private final SparkStarter spark;
    private final CellJobs jobs;
    /** What the cell answered in the pager ({@code NAME?}, {@code %help NAME}), or null. */
    private volatile DisplayData page;

    CellRunner(JavaEvaluator java, MagicRegistry magics, ValueRenderer renderer, SparkStarter spark, CellJobs jobs) {
        this.java = java;
        this.magics = magics;
        this.renderer = renderer;
        this.spark = spark;
        this.jobs = jobs;
    }

    /** The cell's value rendered, or null when it has none to show. */
    DisplayData run(String code, int count) throws Exception {
        jobs.tagCurrentThread(count);
        Matcher asked = ASKS_ABOUT.matcher(code);
        if (asked.matches()) {
            answerInPager(asked.group(1), count);
            return null;
        }
        Object value = JavaEvaluator.NO_VALUE;
        for (CellSource.Part part : CellSource.parse(code)) {
            if (part.kind() == CellSource.Kind.JAVA) {
                declareSparkIfUsed(part.text(), count);
                value = java.eval(part.text());
            } else {
                value = runMagic(part, count);
            }
        }
        return value == JavaEvaluator.NO_VALUE ? null : renderer.render(value);
    }

    /** True for a cell that asks about a name ({@code Dataset?}): complete as it is, though Java would read on. */
    static boolean asksAboutAName(String code) {
        return ASKS_ABOUT.matcher(code).matches();
    }

    /** The pager's text for the cell, once it ran: null unless it asked about a name. */
    DisplayData page() {
        return page;
    }

    private void answerInPager(String name, int count) {
        if (!name.startsWith("%")) declareSparkIfUsed(name, count); // `spark.readStream?` asks about the session's
        DisplayData help = new CodeAssist(java, magics).help(name);
        if (help == null) System.out.println(Messages.text("help.nothing_named", name)); // as IPython: not an error
        else page = help;
    }

    /**
     * `spark` is declared once Spark is up, or as soon as a cell uses it (which then waits for it, or says why
     * Spark could not start). A cell without Spark runs even when Spark could not start.
     */
    private void declareSparkIfUsed(String code, int count) {
        if (java.isDeclared("spark")) return;
        if ((!spark.isDone() || spark.failed()) && !USES_SPARK.matcher(code).find()) return;
        spark.session(); // waits; a failed start throws its own clear message here
        java.declare(DECLARE_SPARK);
        jobs.tagCurrentThread(count);
    }

    private Object runMagic(CellSource.Part part, int count) throws Exception {
        boolean cell = part.kind() == CellSource.Kind.CELL_MAGIC;
        Magic magic = magics.find(part.name());
        if (magic == null || (cell ? !magic.isCell() : !magic.isLine())) throw unknown(part.name(), cell, magic);
        Object value = magic.run(new MagicCall(part.name(), MagicArgs.parse(part.args()), cell ? part.text() : null));
        jobs.tagCurrentThread(count); // a magic may have been the first to start Spark
        if (value instanceof Page answer) {
            page = new DisplayData(answer.text());
            return JavaEvaluator.NO_VALUE;
        }
        return value == null ? JavaEvaluator.NO_VALUE : value;
    }

    private CellError unknown(String name, boolean cell, Magic other) {
        String sign = cell ? "%%" : "%";
        String message;
        if (other != null) {
            message = Messages.text(cell ? "magic.not_cell" : "magic.not_line", name);
        } else {
            List<String> close = new java.util.ArrayList<>();
            magics.closest(name, cell).forEach(c -> close.add(sign + c));
            magics.closest(name, !cell).forEach(c -> close.add((cell ? "%" : "%%") + c));
            message = Messages.text("magic.unknown", sign + name)
                    + (close.isEmpty() ? "" : Messages.text("magic.did_you_mean", String.join(", ", close)))
                    + Messages.text("magic.lsmagic_lists_them");
        }
        return new CellError("UnknownMagic", message, List.of(message), null);
    }
}
