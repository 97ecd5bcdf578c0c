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
import streaminglab.spark.CellJobs;
import streaminglab.spark.SparkStarter;

import java.util.List;
import java.util.regex.Pattern;

/** Runs one cell, part by part (magics and Java), on the cell thread, and renders its value. */
final class CellRunner {
    private static final Pattern USES_SPARK = Pattern.compile("\\bspark\\b");
    private static final String DECLARE_SPARK = "SparkSession spark = streaminglab.runtime.Lab.spark();";

    private final JavaEvaluator java;
    private final MagicRegistry magics;
    private final ValueRenderer renderer;
    private final SparkStarter spark;
    private final CellJobs jobs;

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
