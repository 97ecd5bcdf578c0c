package streaminglab.magics;

import org.junit.jupiter.api.Test;
import streaminglab.display.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** %spark shows settings a user may set to anything (an app name, a proxy address): as text. */
class SparkMagicEscapeTest {

    @Test
    void settingsAreEscapedExactlyAsTablesAre() {
        for (String s : List.of("<img src=x onerror=alert(1)>", "</table><script>alert(1)</script>",
                "http://x/\" onclick=\"alert(1)", "a & b")) {
            assertEquals(Table.escape(s), SparkMagic.escape(s), s);
        }
        // inside the Spark UI link's href="...", a quote cannot end the attribute
        assertEquals("http://x/&quot; onclick=&quot;alert(1)", SparkMagic.escape("http://x/\" onclick=\"alert(1)"));
    }
}
