package streaminglab.display;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data reaches the page as text, never as markup: a Kafka message, a socket line, a column name or a check's
 * hint may hold anything, and a notebook runs its outputs' scripts.
 */
class HtmlTest {
    /** Strings a stream may carry that would break out of an element or an attribute. */
    static final List<String> HOSTILE = List.of(
            "<img src=x onerror=alert(1)>",
            "</table><script>alert(1)</script>",
            "\"><svg onload=alert(1)>",
            "' onmouseover='alert(1)",
            "</td></tr></tbody></table><script>alert(1)</script>",
            "AT&T &amp; &lt;b&gt;",
            "<!-- x --><style>body{display:none}</style>");

    @Test
    void markupCharactersBecomeEntities() {
        assertEquals("&lt;img src=x onerror=alert(1)&gt;", Html.escape("<img src=x onerror=alert(1)>"));
        assertEquals("&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;", Html.escape("</table><script>alert(1)</script>"));
        assertEquals("&quot;&gt;&lt;svg onload=alert(1)&gt;", Html.escape("\"><svg onload=alert(1)>"));
        assertEquals("it&#39;s", Html.escape("it's"));
        // an ampersand is escaped once, so an entity in the data shows as written
        assertEquals("AT&amp;T &amp;amp; &amp;lt;", Html.escape("AT&T &amp; &lt;"));
        assertEquals("plain words, 한글", Html.escape("plain words, 한글"));
        assertEquals("", Html.escape(""));
    }

    @Test
    void escapedTextHasNoMarkupLeftAndReadsAsTyped() {
        for (String s : HOSTILE) {
            String html = Html.escape(s);
            assertNoMarkup(html);
            assertEquals(s, unescape(html), "the reader sees exactly the data");
        }
    }

    @Test
    void controlCharactersShowAsTheirPictures() {
        assertEquals("a␀b", Html.escape("a\u0000b"));
        assertEquals("␛[31mred␛[0m", Html.escape("\u001b[31mred\u001b[0m"));
        assertEquals("line␍", Html.escape("line\r"));
        assertEquals("tab\tand\nnewline", Html.escape("tab\tand\nnewline"));
        assertEquals("␡", Html.escape("\u007f"));
    }

    @Test
    void aMegabyteLineIsEscapedWhole() {
        String line = "<b>".repeat(350_000);
        String html = Html.escape(line);
        assertEquals(350_000 * "&lt;b&gt;".length(), html.length());
        assertNoMarkup(html);
    }

    @Test
    void hostileColumnNamesAndValuesShowAsTextInTheResultTable() {
        StructType schema = new StructType().add("<img src=x onerror=alert(1)>", DataTypes.StringType)
                .add("\"><svg onload=alert(1)>", DataTypes.IntegerType);
        List<Row> rows = List.of(RowFactory.create("</table><script>alert(1)</script>", 1),
                RowFactory.create("<img src=x onerror=alert(1)>", 2),
                RowFactory.create("\u0000\u001b[31m\r", 3));
        String html = Html.table(new Table(schema, rows, 3), "note: <script>alert(2)</script>");
        assertNoInjectedElement(html);
        assertTrue(html.contains("&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), html);
        assertTrue(html.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"), html);
        assertTrue(html.contains("␀␛[31m␍"), html);
        assertTrue(html.contains("note: &lt;script&gt;alert(2)&lt;/script&gt;"), html);
        // the table's own structure is intact: one header row and three body rows, one table
        assertEquals(4, count(html, "<tr>"));
        assertEquals(1, count(html, "</table>"));
    }

    @Test
    void aMegabyteValueIsCutInATable() {
        StructType schema = new StructType().add("line", DataTypes.StringType);
        String huge = "<img src=x onerror=alert(1)>".repeat(40_000);
        String html = Html.table(new Table(schema, List.<Row>of(RowFactory.create(huge)), 1));
        assertNoInjectedElement(html);
        assertTrue(html.length() < 10_000, "a cell shows the start of a huge value, not all of it: " + html.length());
    }

    @Test
    void aTextValueThatReadsNullIsNotTheGreyedNull() {
        StructType schema = new StructType().add("v", DataTypes.StringType);
        String html = Html.table(new Table(schema, Arrays.asList(RowFactory.create((Object) null)), 1));
        assertTrue(html.contains("<i>null</i>"), html);
    }

    @Test
    void gridsFactsAndLinesEscapeEveryPiece() {
        for (String s : HOSTILE) {
            assertNoInjectedElement(Html.grid(List.of(s, "n"), List.of(List.of(s, s))));
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put(s, s + "\n" + s);
            assertNoInjectedElement(Html.facts(facts));
            assertNoInjectedElement(Html.status(Html.line().bold(s).text(s).muted(s).code(s).badge(s, Html.Tone.BAD), Html.Tone.BAD));
            assertNoInjectedElement(Html.errorLine(s, s));
            assertNoInjectedElement(Html.note(s) + Html.paragraph(s) + Html.preformatted(s) + Html.section(s, Html.note(s)));
            assertNoInjectedElement(Html.paragraph(Html.line().boldFilled("{0} as of batch {1}", s, s)));
            assertNoInjectedElement(Html.rateChart(new Html.Series(s, Html.Tone.INPUT, new double[]{1, 2}),
                    new Html.Series(s, Html.Tone.WARN, new double[]{2, Double.NaN}), s, s, 300, 100));
        }
    }

    @Test
    void aFactsValueKeepsItsLineBreaksAndIsALinkOnlyWhenItIsAWebAddress() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("UI", "javascript:alert(1)");
        facts.put("two lines", "a\nb");
        String html = Html.facts(facts, "UI");
        assertFalse(html.contains("<a "), html);
        assertTrue(html.contains("a<br>b"), html);
        facts.put("UI", "http://localhost:4040/\"><script>alert(1)</script>");
        html = Html.facts(facts, "UI");
        assertTrue(html.contains("<a href=\"http://localhost:4040/&quot;&gt;&lt;script&gt;"), html);
        assertNoInjectedElement(html);
        // the Spark UI behind a hub's proxy is a path on the page's own server
        facts.put("UI", "/user/ada/proxy/4040/jobs/");
        assertTrue(Html.facts(facts, "UI").contains("<a href=\"/user/ada/proxy/4040/jobs/\""), Html.facts(facts, "UI"));
        facts.put("UI", "//evil.example/x");
        assertFalse(Html.facts(facts, "UI").contains("<a "), Html.facts(facts, "UI"));
    }

    @Test
    void boldFilledPutsValuesInBoldAndKeepsOtherBraces() {
        assertEquals("<b>q&lt;1&gt;</b> as of batch <b>7</b> {x} {9}",
                Html.line().boldFilled("{0} as of batch {1} {x} {9}", "q<1>", "7").toString());
    }

    @Test
    void aProgressBarHasItsNumbersOrNoneWhenItCannotCount() {
        assertTrue(Html.line().progress(5, 10, "14").toString().contains("value=\"5\" max=\"10\""));
        assertFalse(Html.line().progress(5, -1, "14").toString().contains("value="));
    }

    private static void assertNoMarkup(String html) {
        assertFalse(html.contains("<") || html.contains(">") || html.contains("\"") || html.contains("'"), html);
    }

    /** No element or attribute a data string could bring: what the markup has is the lab's own. */
    static void assertNoInjectedElement(String html) {
        String lower = html.toLowerCase();
        for (String bad : List.of("<script", "<img", "<svg onload", "<style", "<!--", "' onmouseover", "\" onmouseover")) {
            assertFalse(lower.contains(bad), bad + " in " + html);
        }
    }

    private static int count(String s, String part) {
        return s.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }
}
