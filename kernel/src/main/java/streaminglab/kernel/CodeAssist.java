package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.Documentation;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import streaminglab.execution.JavaEvaluator;
import streaminglab.magics.Magic;
import streaminglab.magics.MagicRegistry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Tab completion, Shift-Tab inspection and is_complete, for Java and for magics. */
final class CodeAssist {
    private final JavaEvaluator java;
    private final MagicRegistry magics;

    CodeAssist(JavaEvaluator java, MagicRegistry magics) {
        this.java = java;
        this.magics = magics;
    }

    ReplacementOptions complete(String code, int cursor) {
        String line = currentLine(code, cursor);
        if (line.startsWith("%") && !line.contains(" ")) {
            // %sq offers %%sql too: the whole %-word is replaced
            String typed = line.replaceFirst("^%+", "");
            boolean cellOnly = line.startsWith("%%");
            List<String> names = new ArrayList<>();
            for (Magic m : magics.all()) {
                if (!m.name().startsWith(typed)) continue;
                if (m.isLine() && !cellOnly) names.add("%" + m.name());
                if (m.isCell()) names.add("%%" + m.name());
            }
            return new ReplacementOptions(names, cursor - line.length(), cursor);
        }
        AssistView view = AssistView.at(java, CellSource.javaOnly(code), cursor);
        int[] anchor = new int[1];
        List<Suggestion> suggestions = suggest(view, anchor);
        if (suggestions.isEmpty() && view.hasPrelude()) {
            view = view.withoutPrelude(); // a snippet the prelude does not fit in (a method declaration, say)
            suggestions = suggest(view, anchor);
        }
        SparkApiMembers api = SparkApiMembers.of(receiverMembers(view, anchor[0], suggestions));
        Set<String> options = new LinkedHashSet<>();
        suggestions.stream().filter(Suggestion::matchesType).forEach(x -> options.add(x.continuation()));
        suggestions.forEach(x -> options.add(x.continuation()));
        options.removeIf(c -> !api.isJavaApi(c));
        return new ReplacementOptions(new ArrayList<>(options), view.inCell(anchor[0]), cursor);
    }

    private List<Suggestion> suggest(AssistView view, int[] anchor) {
        return java.analysis().completionSuggestions(view.text(), view.cursor(), anchor);
    }

    /**
     * Every member of the receiver before the dot, one per overload: what tells a Logging method from a real one
     * (see {@link SparkApiMembers}). When a name is typed after the dot JShell lists only the members that start
     * with it, so the receiver is asked once more with nothing typed, and only when a Logging name is among them.
     */
    private List<String> receiverMembers(AssistView view, int anchor, List<Suggestion> suggestions) {
        List<String> found = suggestions.stream().map(Suggestion::continuation).toList();
        boolean typed = anchor < view.cursor();
        if (!typed || !afterDot(view.text(), anchor) || found.stream().noneMatch(SparkApiMembers::mayBeLogging)) {
            return found;
        }
        return java.analysis().completionSuggestions(view.text(), anchor, new int[1]).stream()
                .map(Suggestion::continuation).toList();
    }

    private static boolean afterDot(String text, int at) {
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) i--;
        return i >= 0 && text.charAt(i) == '.';
    }

    DisplayData inspect(String code, int cursor) {
        String line = wholeLine(code, cursor);
        if (line.startsWith("%")) {
            Magic magic = magics.find(line.replaceFirst("^%+", "").split("\\s+")[0]);
            return magic == null ? null : new DisplayData(magic.usage());
        }
        AssistView view = AssistView.at(java, CellSource.javaOnly(code), cursor);
        SourceCodeAnalysis analysis = java.analysis();
        List<Documentation> docs = analysis.documentation(view.text(), view.cursor(), true);
        if (docs.isEmpty() && endsIdentifier(view.text(), view.cursor())) {
            // the cursor is at the end of a method name: ask as if the call were open
            String opened = view.text().substring(0, view.cursor()) + "(" + view.text().substring(view.cursor());
            docs = analysis.documentation(opened, view.cursor() + 1, true);
        }
        StringBuilder text = new StringBuilder();
        String previous = null;
        for (Documentation doc : docs) {
            text.append(doc.signature()).append('\n');
            // the JDK's own classes have their Javadoc from JShell; Spark's come from its shipped sources
            String about = doc.javadoc() != null && !doc.javadoc().isBlank() ? doc.javadoc().strip()
                    : SparkDocs.shipped().firstParagraph(doc.signature());
            if (about != null && !about.equals(previous)) text.append('\n').append(about).append("\n\n");
            previous = about; // overloads documented alike: once
        }
        if (text.length() == 0) {
            String word = identifierBefore(view.text(), view.cursor());
            java.variable(word).ifPresent(v -> text.append(v.typeName()).append(' ').append(v.name()));
        }
        return text.length() == 0 ? null : new DisplayData(text.toString().strip());
    }

    /**
     * What {@code NAME?} shows in the pager: what Shift-Tab shows for NAME (a variable, a class, a method;
     * {@code %NAME} a magic's usage), else the usage of the magic called NAME; null when nothing is.
     */
    DisplayData help(String name) {
        DisplayData inspected = inspect(name, name.length());
        if (inspected != null) return inspected;
        Magic magic = magics.find(name);
        return magic == null ? null : new DisplayData(magic.usage());
    }

    /** complete, invalid, unknown, or an indent for the next line of an unfinished cell. */
    String isComplete(String code) {
        if (code.stripLeading().startsWith("%%")) {
            // like IPython: a cell magic's body goes on until an empty line
            return code.endsWith("\n\n") ? "complete" : "";
        }
        if (CellRunner.asksAboutAName(code)) return "complete";
        String remaining = CellSource.javaOnly(code);
        SourceCodeAnalysis analysis = java.analysis();
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            Completeness c = info.completeness();
            if (c == Completeness.DEFINITELY_INCOMPLETE || c == Completeness.CONSIDERED_INCOMPLETE) {
                return indentFor(remaining);
            }
            if (c == Completeness.UNKNOWN) return "invalid";
            if (c == Completeness.EMPTY) break;
            remaining = info.remaining();
        }
        return "complete";
    }

    private static String indentFor(String code) {
        int depth = 0;
        for (char ch : code.toCharArray()) {
            if (ch == '{' || ch == '(') depth++;
            if (ch == '}' || ch == ')') depth = Math.max(0, depth - 1);
        }
        return "    ".repeat(Math.max(depth, 0));
    }

    private static String currentLine(String code, int cursor) {
        int c = Math.max(0, Math.min(cursor, code.length()));
        int from = code.lastIndexOf('\n', c - 1) + 1;
        return code.substring(from, c).stripLeading();
    }

    private static String wholeLine(String code, int cursor) {
        int c = Math.max(0, Math.min(cursor, code.length()));
        int from = code.lastIndexOf('\n', c - 1) + 1;
        int to = code.indexOf('\n', c);
        return code.substring(from, to < 0 ? code.length() : to).stripLeading();
    }

    private static boolean endsIdentifier(String text, int cursor) {
        return cursor > 0 && cursor <= text.length() && Character.isJavaIdentifierPart(text.charAt(cursor - 1))
                && (cursor == text.length() || !Character.isJavaIdentifierPart(text.charAt(cursor)));
    }

    private static String identifierBefore(String text, int cursor) {
        int end = Math.min(cursor, text.length());
        int from = end;
        while (from > 0 && Character.isJavaIdentifierPart(text.charAt(from - 1))) from--;
        while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) end++;
        return text.substring(from, end);
    }
}
