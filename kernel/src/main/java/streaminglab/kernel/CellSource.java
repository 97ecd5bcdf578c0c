package streaminglab.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A cell split into what runs: a cell magic ({@code %%name args} on the first line, the rest its
 * body), or a sequence of line magics ({@code %name args} lines) and Java code between them.
 */
public final class CellSource {
    public enum Kind { JAVA, LINE_MAGIC, CELL_MAGIC }

    /** One part of a cell; offset is where it starts in the cell. */
    public record Part(Kind kind, String name, String args, String text, int offset) {
    }

    private CellSource() {
    }

    public static List<Part> parse(String cell) {
        List<Part> parts = new ArrayList<>();
        String trimmed = stripLeadingBlankLines(cell);
        int lead = cell.length() - trimmed.length();
        if (trimmed.startsWith("%%")) {
            int nl = trimmed.indexOf('\n');
            String header = nl < 0 ? trimmed.substring(2) : trimmed.substring(2, nl);
            String body = nl < 0 ? "" : trimmed.substring(nl + 1);
            String[] nameAndArgs = splitName(header);
            parts.add(new Part(Kind.CELL_MAGIC, nameAndArgs[0], nameAndArgs[1], body, lead));
            return parts;
        }
        StringBuilder java = new StringBuilder();
        int javaStart = 0;
        int pos = 0;
        for (String line : cell.split("\n", -1)) {
            String stripped = line.stripLeading();
            if (stripped.startsWith("%") && !stripped.startsWith("%%") && stripped.length() > 1
                    && Character.isLetter(stripped.charAt(1))) {
                if (!java.toString().isBlank()) parts.add(new Part(Kind.JAVA, null, null, java.toString(), javaStart));
                java.setLength(0);
                String[] nameAndArgs = splitName(stripped.substring(1));
                parts.add(new Part(Kind.LINE_MAGIC, nameAndArgs[0], nameAndArgs[1], "", pos));
                javaStart = pos + line.length() + 1;
            } else {
                if (java.length() == 0) javaStart = pos;
                java.append(line).append('\n');
            }
            pos += line.length() + 1;
        }
        if (!java.toString().isBlank()) parts.add(new Part(Kind.JAVA, null, null, java.toString(), javaStart));
        return parts;
    }

    /** The cell with every magic line blanked out, offsets kept: what Java tooling should see. */
    public static String javaOnly(String cell) {
        if (stripLeadingBlankLines(cell).startsWith("%%")) return " ".repeat(cell.length());
        StringBuilder sb = new StringBuilder(cell.length());
        for (String line : cell.split("\n", -1)) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(line.stripLeading().startsWith("%") ? " ".repeat(line.length()) : line);
        }
        return sb.toString();
    }

    private static String[] splitName(String header) {
        String h = header.strip();
        int i = 0;
        while (i < h.length() && !Character.isWhitespace(h.charAt(i))) i++;
        return new String[]{h.substring(0, i), h.substring(i).strip()};
    }

    private static String stripLeadingBlankLines(String cell) {
        int i = 0;
        int lineStart = 0;
        while (i < cell.length() && Character.isWhitespace(cell.charAt(i))) {
            if (cell.charAt(i) == '\n') lineStart = i + 1;
            i++;
        }
        return cell.substring(Math.min(lineStart, cell.length()));
    }
}
