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
        Snippet s = snippetAt(CellSource.javaOnly(code), cursor);
        int[] anchor = new int[1];
        List<Suggestion> suggestions = java.analysis().completionSuggestions(s.text, s.cursor, anchor);
        Set<String> options = new LinkedHashSet<>();
        suggestions.stream().filter(Suggestion::matchesType).forEach(x -> options.add(x.continuation()));
        suggestions.forEach(x -> options.add(x.continuation()));
        return new ReplacementOptions(new ArrayList<>(options), s.start + anchor[0], cursor);
    }

    DisplayData inspect(String code, int cursor) {
        String line = wholeLine(code, cursor);
        if (line.startsWith("%")) {
            Magic magic = magics.find(line.replaceFirst("^%+", "").split("\\s+")[0]);
            return magic == null ? null : new DisplayData(magic.usage());
        }
        Snippet s = snippetAt(CellSource.javaOnly(code), cursor);
        SourceCodeAnalysis analysis = java.analysis();
        List<Documentation> docs = analysis.documentation(s.text, s.cursor, true);
        if (docs.isEmpty() && endsIdentifier(s.text, s.cursor)) {
            // the cursor is at the end of a method name: ask as if the call were open
            String opened = s.text.substring(0, s.cursor) + "(" + s.text.substring(s.cursor);
            docs = analysis.documentation(opened, s.cursor + 1, true);
        }
        StringBuilder text = new StringBuilder();
        for (Documentation doc : docs) {
            text.append(doc.signature()).append('\n');
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) text.append('\n').append(doc.javadoc().strip()).append("\n\n");
        }
        if (text.length() == 0) {
            String word = identifierBefore(s.text, s.cursor);
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

    private record Snippet(String text, int start, int cursor) {
    }

    /** The snippet of a multi-statement cell the cursor is in, so JShell analyses only that. */
    private Snippet snippetAt(String code, int cursor) {
        SourceCodeAnalysis analysis = java.analysis();
        int start = 0;
        int end = code.length();
        String remaining = code;
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
            start += consumed;
            remaining = info.remaining();
        }
        int at = Math.max(0, Math.min(cursor, code.length()) - start);
        return new Snippet(code.substring(start, Math.max(end, start + at)), start, at);
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
