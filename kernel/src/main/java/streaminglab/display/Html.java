package streaminglab.display;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every piece of HTML the kernel draws, and the one escape routine. Text from data (Kafka keys and
 * values, socket lines, column names, query and topic names, error messages, check results) goes in
 * as plain text and comes out as text the page shows as typed: no method here takes markup from a
 * caller except the markup another method here made.
 */
public final class Html {
    private Html() {
    }

    /** How a status reads at a glance: a badge's colour, a check's border, an error line's red. */
    public enum Tone {
        GOOD("#2e7d32"), NEUTRAL("#616161"), WARN("#ef6c00"), BAD("#b71c1c"), INPUT("#1565c0");

        private final String colour;

        Tone(String colour) {
            this.colour = colour;
        }
    }

    /**
     * Text made safe anywhere in HTML, in an element or in a quoted attribute. Control characters (NUL, ESC,
     * a carriage return) show as their visible pictures (␀ ␛ ␍), so they neither vanish nor break the page.
     */
    public static String escape(String text) {
        if (text == null) return "null";
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                case '\n', '\t' -> sb.append(c);
                case '\u007f' -> sb.append('\u2421');
                default -> sb.append(c < 0x20 ? (char) (0x2400 + c) : c);
            }
        }
        return sb.toString();
    }

    // --- tables -----------------------------------------------------------------------------

    /** A result table: a header of names over their types, nulls greyed, a footer that counts hidden rows. */
    public static String table(Table table) {
        StringBuilder sb = new StringBuilder();
        sb.append("<table class=\"lab-table\" style=\"border-collapse:collapse\">\n<thead><tr>");
        for (int i = 0; i < table.names().size(); i++) {
            sb.append("<th style=\"text-align:left\">").append(escape(table.names().get(i)))
                    .append("<br><span style=\"font-weight:normal;opacity:0.6;font-size:85%\">")
                    .append(escape(table.types().get(i))).append("</span></th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : table.rows()) {
            sb.append("<tr>");
            for (String cell : row) {
                if (cell.equals("null")) sb.append("<td style=\"text-align:left;opacity:0.5\"><i>null</i></td>");
                else sb.append("<td style=\"text-align:left\">").append(escape(cell)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        sb.append("<p style=\"opacity:0.7;font-size:85%\">").append(escape(table.footer())).append("</p>");
        return sb.toString();
    }

    /** A result table with a note under it (null: none). */
    public static String table(Table table, String note) {
        return table(table) + (note == null ? "" : note(note));
    }

    /** A small table of strings with a header: the magics' listings. */
    public static String grid(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<table><thead><tr>");
        for (String h : header) sb.append("<th style=\"text-align:left\">").append(escape(h)).append("</th>");
        sb.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (String c : row) sb.append("<td style=\"text-align:left\">").append(escape(c)).append("</td>");
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    /** Name–value lines as a two-column table; a value's line breaks stay line breaks. */
    public static String facts(Map<String, String> facts) {
        return facts(facts, null);
    }

    /** The same, with the value of the fact named linked shown as a link when it is a web address (see isWebAddress). */
    public static String facts(Map<String, String> facts, String linked) {
        StringBuilder sb = new StringBuilder("<table style=\"border-collapse:collapse\">");
        for (Map.Entry<String, String> e : facts.entrySet()) {
            String value = e.getKey().equals(linked) && isWebAddress(e.getValue())
                    ? link(e.getValue()) : escape(e.getValue()).replace("\n", "<br>");
            sb.append("<tr><th style=\"text-align:left;vertical-align:top\">").append(escape(e.getKey()))
                    .append("</th><td style=\"text-align:left\">").append(value).append("</td></tr>");
        }
        return sb.append("</table>").toString();
    }

    /**
     * http(s), or a path on the page's own server ("/user/NAME/proxy/4040/jobs/": the Spark UI behind a hub's
     * proxy); never another scheme (javascript:) nor a protocol-relative "//host".
     */
    private static boolean isWebAddress(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://") || s.startsWith("/") && !s.startsWith("//");
    }

    private static String link(String address) {
        String a = escape(address);
        return "<a href=\"" + a + "\" target=\"_blank\" rel=\"noopener\">" + a + "</a>";
    }

    // --- blocks -----------------------------------------------------------------------------

    /** A small grey line under a table or a view: a note, a waiting message, a row count. */
    public static String note(String text) {
        return "<p style=\"opacity:0.7;font-size:85%\">" + escape(text) + "</p>";
    }

    /** A paragraph of plain text. */
    public static String paragraph(String text) {
        return "<p>" + escape(text) + "</p>";
    }

    /** A paragraph whose words are a line made here. */
    public static String paragraph(Line line) {
        return "<p>" + line + "</p>";
    }

    /** Text kept as it is laid out (a schema, a checkpoint's JSON). */
    public static String preformatted(String text) {
        return "<pre>" + escape(text) + "</pre>";
    }

    /** A status line: small type, red when it tells of a failure. */
    public static String status(Line line, Tone tone) {
        String colour = tone == Tone.BAD ? "color:" + tone.colour + ";" : "";
        return "<div style=\"" + colour + "font-size:85%;margin:2px 0\">" + line + "</div>";
    }

    /** An error line: the word for error in bold, then the message. */
    public static String errorLine(String label, String message) {
        return "<div style=\"color:" + Tone.BAD.colour + ";font-size:90%;margin:4px 0\"><b>" + escape(label) + "</b> "
                + escape(message) + "</div>";
    }

    /** A warning line: something the student should know while it still runs (a source that does not answer). */
    public static String warningLine(String message) {
        return "<div style=\"color:" + Tone.WARN.colour + ";font-size:90%;margin:4px 0\">" + escape(message) + "</div>";
    }

    /** A header over a table (a live view's facts). */
    public static String header(Line line) {
        return "<div style=\"font-size:85%;margin-bottom:4px\">" + line + "</div>";
    }

    /** A section made of blocks made here, in a named box (lab-live-view, lab-snapshot, lab-check ...). */
    public static String section(String kind, String... blocks) {
        StringBuilder sb = new StringBuilder("<div class=\"lab-").append(escape(kind)).append("\">");
        for (String b : blocks) sb.append(b);
        return sb.append("</div>").toString();
    }

    /** The same, with a coloured bar at its left (a check's verdict). */
    public static String markedSection(String kind, Tone tone, String... blocks) {
        StringBuilder sb = new StringBuilder("<div class=\"lab-").append(escape(kind))
                .append("\" style=\"border-left:4px solid ").append(tone.colour).append(";padding:4px 10px\">");
        for (String b : blocks) sb.append(b);
        return sb.append("</div>").toString();
    }

    /** The empty drawing: what a display that should disappear (a finished job's progress bar) becomes. */
    public static String nothing() {
        return "";
    }

    // --- lines ------------------------------------------------------------------------------

    public static Line line() {
        return new Line();
    }

    /**
     * One line of inline pieces: plain text, bold text, a badge, a progress bar. Every piece of text is escaped
     * as it goes in, so a line holds no markup but its own.
     */
    public static final class Line {
        private final StringBuilder sb = new StringBuilder();

        private Line() {
        }

        public Line text(String text) {
            sb.append(escape(text));
            return this;
        }

        public Line bold(String text) {
            sb.append("<b>").append(escape(text)).append("</b>");
            return this;
        }

        public Line code(String text) {
            sb.append("<code>").append(escape(text)).append("</code>");
            return this;
        }

        /** Text drawn lighter: a secondary fact. */
        public Line muted(String text) {
            sb.append("<span style=\"opacity:0.7\">").append(escape(text)).append("</span>");
            return this;
        }

        /** A state in a coloured box (ACTIVE, STOPPED, FAILED). */
        public Line badge(String text, Tone tone) {
            sb.append("<span style=\"background:").append(tone.colour)
                    .append(";color:white;padding:1px 6px;border-radius:3px;font-size:85%\">").append(escape(text))
                    .append("</span>");
            return this;
        }

        /** A progress bar: value of max; max below 1: a bar that only says "working". */
        public Line progress(long value, long max, String widthEm) {
            sb.append("<progress");
            if (max > 0) sb.append(" value=\"").append(Math.max(0, Math.min(value, max))).append("\" max=\"").append(max).append('"');
            sb.append(" style=\"width:").append(escape(widthEm)).append("em;vertical-align:middle\"></progress> ");
            return this;
        }

        /**
         * A message whose placeholders {0}, {1} ... are filled with the values in bold: "NAME as of batch N" with the
         * name and the number standing out.
         */
        public Line boldFilled(String template, String... values) {
            String rest = template;
            while (!rest.isEmpty()) {
                int at = rest.indexOf('{');
                int end = at < 0 ? -1 : rest.indexOf('}', at);
                int index = end < 0 ? -1 : placeholder(rest.substring(at + 1, end), values.length);
                if (index < 0) {
                    int upTo = at < 0 ? rest.length() : at + 1;
                    sb.append(escape(rest.substring(0, upTo)));
                    rest = rest.substring(upTo);
                    continue;
                }
                sb.append(escape(rest.substring(0, at)));
                bold(values[index]);
                rest = rest.substring(end + 1);
            }
            return this;
        }

        private static int placeholder(String inside, int count) {
            if (inside.isEmpty() || inside.length() > 2 || !inside.chars().allMatch(Character::isDigit)) return -1;
            int n = Integer.parseInt(inside);
            return n < count ? n : -1;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }

    // --- charts -----------------------------------------------------------------------------

    /** A line of a chart: its label and its points in order. */
    public record Series(String label, Tone tone, double[] values) {
    }

    /**
     * A small SVG line chart of two rates over the recent micro-batches, from 0 to the highest value, labelled
     * with that maximum (unit appended) and a caption at its bottom right.
     */
    public static String rateChart(Series first, Series second, String unit, String caption, int width, int height) {
        double max = 1;
        for (Series s : List.of(first, second)) for (double v : s.values()) max = Math.max(max, finite(v));
        int left = 50, bottom = height - 20, top = 10, right = width - 10;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" style=\"font:10px sans-serif\">");
        svg.append("<line x1=\"").append(left).append("\" y1=\"").append(bottom).append("\" x2=\"").append(right)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"#999\"/>");
        svg.append("<text x=\"2\" y=\"").append(top + 8).append("\">").append(escape(number(max) + unit)).append("</text>");
        svg.append("<text x=\"2\" y=\"").append(bottom).append("\">0</text>");
        svg.append(polyline(first, max, left, right, top, bottom));
        svg.append(polyline(second, max, left, right, top, bottom));
        svg.append("<text x=\"").append(left).append("\" y=\"").append(height - 4).append("\" fill=\"")
                .append(first.tone().colour).append("\">").append(escape(first.label())).append("</text>");
        svg.append("<text x=\"").append(left + 110).append("\" y=\"").append(height - 4).append("\" fill=\"")
                .append(second.tone().colour).append("\">").append(escape(second.label())).append("</text>");
        svg.append("<text x=\"").append(right - 90).append("\" y=\"").append(height - 4).append("\">")
                .append(escape(caption)).append("</text></svg>");
        return svg.toString();
    }

    private static String polyline(Series series, double max, int left, int right, int top, int bottom) {
        StringBuilder points = new StringBuilder();
        int n = series.values().length;
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? left : left + (double) (right - left) * i / (n - 1);
            double y = bottom - (bottom - top) * finite(series.values()[i]) / max;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return "<polyline fill=\"none\" stroke=\"" + series.tone().colour + "\" stroke-width=\"2\" points=\""
                + points.toString().trim() + "\"/>";
    }

    private static double finite(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
    }

    /** A rate as the lab writes it: whole numbers from 100 up, one decimal below. */
    public static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "0";
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
