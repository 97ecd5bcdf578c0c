package streaminglab.kernel;

import jdk.jshell.Snippet;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import streaminglab.execution.JavaEvaluator;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text JShell analyses for Tab and Shift-Tab at a cursor in a cell: the snippet the cursor is in, after a
 * prelude that declares what that snippet can already use but JShell does not know yet.
 *
 * JShell's SourceCodeAnalysis knows only the snippets it has run. Two names a student completes on are not among
 * them yet: `spark`, which the kernel declares when the first cell that uses it runs (the SparkSession may still be
 * starting), and the variables declared earlier in the same cell. JShell analyses a statement inside a method body
 * (its "trial class"), so the prelude declares them there as local variables, ahead of the snippet: `spark` as an
 * uninitialised SparkSession, and each earlier variable declaration of the cell verbatim, so that `var x = …` gets
 * its type from its initializer. This is sound because analysis only compiles: nothing in the prelude runs, no
 * variable JShell holds is replaced, and a local shadows an older variable of the same name as the cell will.
 */
final class AssistView {
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\b");
    private static final Pattern INFERRED_VARIABLE = Pattern.compile("^\\s*(?:final\\s+)?var\\s+([A-Za-z_$][\\w$]*)\\s*=");
    private static final String SPARK_PLACEHOLDER = "org.apache.spark.sql.SparkSession spark = null;\n";

    private final String text;
    private final int cursor;
    private final int preludeLength;
    private final int snippetStart;

    private AssistView(String text, int cursor, int preludeLength, int snippetStart) {
        this.text = text;
        this.cursor = cursor;
        this.preludeLength = preludeLength;
        this.snippetStart = snippetStart;
    }

    /** The view of the Java text of a cell (magic lines blanked) at a cursor. */
    static AssistView at(JavaEvaluator java, String cellJava, int cellCursor) {
        SourceCodeAnalysis analysis = java.analysis();
        int cursor = Math.max(0, Math.min(cellCursor, cellJava.length()));
        List<String> earlier = new ArrayList<>();
        int start = 0;
        int end = cellJava.length();
        String remaining = cellJava;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == Completeness.DEFINITELY_INCOMPLETE
                    || info.completeness() == Completeness.CONSIDERED_INCOMPLETE
                    || info.completeness() == Completeness.EMPTY) break;
            int consumed = remaining.length() - info.remaining().length();
            if (consumed <= 0) break;
            if (start + consumed >= cursor) {
                end = start + consumed;
                break;
            }
            earlier.add(info.source());
            start += consumed;
            remaining = info.remaining();
        }
        String snippet = cellJava.substring(start, Math.max(end, cursor));
        String prelude = IMPORT.matcher(snippet).find() ? "" : prelude(java, earlier);
        return new AssistView(prelude + snippet, prelude.length() + cursor - start, prelude.length(), start);
    }

    private static String prelude(JavaEvaluator java, List<String> earlier) {
        StringBuilder variables = new StringBuilder();
        boolean cellDeclaresSpark = false;
        for (String source : earlier) {
            List<String> names = variablesDeclaredBy(java.analysis(), source);
            if (names.isEmpty()) continue; // statements, methods, classes: not needed to complete on a variable
            variables.append(source.strip()).append('\n');
            cellDeclaresSpark |= names.contains("spark");
        }
        boolean sparkPending = !cellDeclaresSpark && !java.isDeclared("spark");
        return (sparkPending ? SPARK_PLACEHOLDER : "") + variables;
    }

    /** The names a snippet declares when it declares variables and nothing else; otherwise none. */
    private static List<String> variablesDeclaredBy(SourceCodeAnalysis analysis, String source) {
        // JShell cannot type `var x = words.count()` while `words` is only declared in this cell: it calls that
        // snippet erroneous, yet in the prelude, after `words`, it is a declaration like any other
        Matcher inferred = INFERRED_VARIABLE.matcher(source);
        if (inferred.find()) return List.of(inferred.group(1));
        try {
            List<Snippet> snippets = analysis.sourceToSnippets(source);
            if (snippets.stream().anyMatch(s -> !(s instanceof VarSnippet))) return List.of();
            return snippets.stream().map(s -> ((VarSnippet) s).name()).toList();
        } catch (RuntimeException e) {
            return List.of(); // JShell could not read it: the snippet alone is still analysed
        }
    }

    /** The same snippet without the prelude: what JShell is asked when the prelude itself spoils the analysis. */
    AssistView withoutPrelude() {
        return new AssistView(text.substring(preludeLength), cursor - preludeLength, 0, snippetStart);
    }

    boolean hasPrelude() {
        return preludeLength > 0;
    }

    String text() {
        return text;
    }

    int cursor() {
        return cursor;
    }

    /** A position in this view as a position in the cell. */
    int inCell(int position) {
        return snippetStart + position - preludeLength;
    }
}
