package streaminglab.display;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data in a table is shown as text, never run as HTML: a Kafka message or a socket line may hold anything,
 * and a notebook runs its outputs' scripts.
 */
class TableEscapeTest {
    /** Strings a stream may carry that would break out of a table cell or an attribute. */
    static final List<String> HOSTILE = List.of(
            "<img src=x onerror=alert(1)>",
            "</td></table><script>alert(1)</script>",
            "\" onmouseover=\"alert(1)",
            "AT&T &amp; &lt;b&gt;",
            "<!-- x --><style>body{display:none}</style>");

    @Test
    void markupCharactersBecomeEntities() {
        assertEquals("&lt;img src=x onerror=alert(1)&gt;", Table.escape("<img src=x onerror=alert(1)>"));
        assertEquals("&lt;/table&gt;&lt;script&gt;", Table.escape("</table><script>"));
        assertEquals("&quot; onmouseover=&quot;alert(1)", Table.escape("\" onmouseover=\"alert(1)"));
        // an ampersand is escaped once, so an entity in the data shows as written
        assertEquals("AT&amp;T &amp;amp; &amp;lt;", Table.escape("AT&T &amp; &lt;"));
        assertEquals("plain words, 한글, it's", Table.escape("plain words, 한글, it's"));
        assertEquals("", Table.escape(""));
    }

    @Test
    void escapedTextHasNoMarkupLeft() {
        for (String s : HOSTILE) {
            String html = Table.escape(s);
            assertFalse(html.contains("<") || html.contains(">") || html.contains("\""), html);
            assertEquals(s, unescape(html), "the reader sees exactly the data");
        }
    }

    @Test
    void aHostileValueAndColumnNameShowAsTextInTheTable() {
        StructType schema = new StructType().add("<b>name</b>", DataTypes.StringType).add("n", DataTypes.IntegerType);
        List<Row> rows = List.of(RowFactory.create("</td></table><script>alert(1)</script>", 1),
                RowFactory.create("<img src=x onerror=alert(1)>", 2));
        String html = new Table(schema, rows, 2).html();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("<b>name"), html);
        assertTrue(html.contains("&lt;/td&gt;&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("&lt;b&gt;name&lt;/b&gt;"), html);
        // the table's own structure is intact: one header row and two body rows
        assertEquals(3, html.split("<tr>", -1).length - 1);
        assertEquals(1, html.split("</table>", -1).length - 1);
    }

    @Test
    void aTextValueThatReadsNullIsNotTheGreyedNull() {
        StructType schema = new StructType().add("v", DataTypes.StringType);
        String html = new Table(schema, java.util.Arrays.asList(RowFactory.create((Object) null)), 1).html();
        assertTrue(html.contains("<i>null</i>"), html);
    }

    static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }
}
