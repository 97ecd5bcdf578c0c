package streaminglab.exercises;

import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A check's title, columns, rows and hints come from a check file and the student's data: shown as text. */
class CheckResultTest {
    @Test
    void hostileRowsTitlesAndHintsShowAsText() {
        String bad = "<img src=x onerror=alert(1)>";
        CheckResult result = CheckResult.compare("</table><script>alert(1)</script>", List.of("\"><svg onload=alert(1)>"),
                List.of(List.of("a")), List.of(List.of(bad)), false, List.of(bad));
        String html = (String) result.render().getData(MIMEType.TEXT_HTML);
        assertFalse(html.contains("<img") || html.contains("<script") || html.contains("<svg"), html);
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), html);
        assertTrue(html.contains("&lt;/table&gt;&lt;script&gt;"), html);
    }
}
