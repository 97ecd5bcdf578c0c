package streaminglab.kafka;

import org.junit.jupiter.api.Test;
import streaminglab.display.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A record's key, value and headers in %kafka consume are the topic's data: shown as text, like any table. */
class KafkaTablesEscapeTest {

    @Test
    void kafkaTextIsEscapedExactlyAsTablesAre() {
        for (String s : List.of("<img src=x onerror=alert(1)>", "</table><script>alert(1)</script>",
                "\"quoted\" & 'single'", "&lt;already&gt;")) {
            assertEquals(Table.escape(s), KafkaTables.escape(s), s);
        }
        assertEquals("&lt;script&gt;x&lt;/script&gt; &amp;amp; &quot;", KafkaTables.escape("<script>x</script> &amp; \""));
    }
}
