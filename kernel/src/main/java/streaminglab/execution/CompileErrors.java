package streaminglab.execution;

import jdk.jshell.Diag;
import streaminglab.language.Messages;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns JShell's diagnostics into an error that points at the line of the cell. */
final class CompileErrors {
    /**
     * javac names where it looked for a symbol; for code typed in a cell that is JShell's wrapper class, whose
     * name JShell removes, leaving `location: class ` with nothing after it. The cell is what the student wrote.
     */
    private static final Pattern NAMELESS_CLASS = Pattern.compile("(?m)^([ \\t]*location: )class[ \\t]*$");

    private CompileErrors() {
    }

    static CellError of(String cell, int snippetStart, List<Diag> diagnostics, String source) {
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag diag : diagnostics) {
            if (!diag.isError()) continue;
            String message = namingTheCell(diag.getMessage(Locale.ROOT));
            if (first == null) first = message;
            int from = clamp(cell, snippetStart + (int) Math.max(0, diag.getStartPosition()));
            int to = clamp(cell, snippetStart + (int) Math.max(diag.getStartPosition(), diag.getEndPosition()));
            int lineStart = cell.lastIndexOf('\n', Math.max(0, from - 1)) + 1;
            if (from < lineStart) lineStart = from;
            int lineEnd = cell.indexOf('\n', from);
            if (lineEnd < 0) lineEnd = cell.length();
            int lineNumber = 1 + (int) cell.substring(0, lineStart).chars().filter(c -> c == '\n').count();
            lines.add(Messages.text("error.compile", lineNumber, message));
            lines.add("    " + cell.substring(lineStart, lineEnd));
            int width = Math.max(1, Math.min(to, lineEnd) - from);
            lines.add("    " + " ".repeat(from - lineStart) + "^".repeat(width));
        }
        if (first == null) {
            first = Messages.text("error.compile_no_message", source.trim());
            lines.add(first);
        }
        return new CellError("CompileError", first, lines, null);
    }

    static String namingTheCell(String message) {
        return NAMELESS_CLASS.matcher(message)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + Messages.text("error.compile_location_cell")));
    }

    private static int clamp(String cell, int position) {
        return Math.max(0, Math.min(cell.length(), position));
    }
}
