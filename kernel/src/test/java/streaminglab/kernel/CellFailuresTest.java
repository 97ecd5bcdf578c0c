package streaminglab.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import streaminglab.execution.RuntimeErrors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The folded full stack trace under a failed cell: an exception's message is data, shown as text. */
class CellFailuresTest {

    @Test
    void aHostileExceptionMessageIsTextInTheFoldedTrace() {
        IllegalStateException thrown = new IllegalStateException("</pre></details><img src=x onerror=alert(1)> & more");
        DisplayData data = CellFailures.foldedTrace(RuntimeErrors.describe(thrown, "bad"));
        assertNotNull(data);
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("&lt;/pre&gt;&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more"), html);
        assertTrue(html.endsWith("</pre></details>"), "one details element, closed by the kernel only");
    }
}
