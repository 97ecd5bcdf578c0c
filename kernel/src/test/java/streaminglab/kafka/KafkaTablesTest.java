package streaminglab.kafka;

import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A record's key, value and headers in %kafka consume are the topic's data: shown as text, like any table. */
class KafkaTablesTest {
    @Test
    void hostileKeysValuesAndNotesShowAsText() {
        KafkaTables.Columns columns = new KafkaTables.Columns().add("key", DataTypes.StringType).add("value", DataTypes.StringType);
        String html = (String) KafkaTables.table(columns,
                List.of(KafkaTables.row("<img src=x onerror=alert(1)>", "</table><script>alert(1)</script>")), 1,
                "topic \"><svg onload=alert(1)>").getData(MIMEType.TEXT_HTML);
        assertFalse(html.contains("<img") || html.contains("<script") || html.contains("<svg"), html);
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), html);
        assertTrue(html.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"), html);

        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("<script>", "<img src=x onerror=alert(1)>");
        html = (String) KafkaTables.facts(facts).getData(MIMEType.TEXT_HTML);
        assertFalse(html.contains("<img") || html.contains("<script"), html);
    }
}
