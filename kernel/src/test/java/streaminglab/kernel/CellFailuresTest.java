package streaminglab.kernel;

import org.junit.jupiter.api.Test;
import streaminglab.execution.CellError;
import streaminglab.execution.RuntimeErrors;
import streaminglab.language.Messages;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The traceback of a failed cell: the short lines first, then the whole trace, as text in one error. */
class CellFailuresTest {

    @Test
    void aRuntimeFailureShowsItsShortLinesThenTheWholeTrace() {
        IllegalStateException thrown = new IllegalStateException("no rows", new ArithmeticException("/ by zero"));
        CellError error = RuntimeErrors.describe(thrown, "no rows");
        List<String> lines = CellFailures.traceback(error);

        assertEquals(error.traceback(), lines.subList(0, error.traceback().size()), "the short lines come first");
        assertEquals("IllegalStateException: no rows", lines.get(0));
        int heading = lines.indexOf("\u001b[2m── " + Messages.text("kernel.full_trace") + " ──\u001b[0m");
        assertTrue(heading >= error.traceback().size(), lines.toString());
        List<String> trace = lines.subList(heading + 1, lines.size());
        assertEquals("java.lang.IllegalStateException: no rows", trace.get(0));
        assertTrue(trace.get(1).startsWith("\tat streaminglab.kernel.CellFailuresTest."), trace.get(1));
        assertTrue(trace.contains("Caused by: java.lang.ArithmeticException: / by zero"), trace.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("\n")), "one line per entry");
    }

    @Test
    void aHostileExceptionMessageStaysTextInTheTraceback() {
        String hostile = "</pre></details><img src=x onerror=alert(1)> & more";
        List<String> lines = CellFailures.traceback(RuntimeErrors.describe(new IllegalStateException(hostile), "bad"));
        // no markup of the kernel's own around it: front ends show a traceback as text (ANSI colours only)
        assertTrue(lines.contains("java.lang.IllegalStateException: " + hostile), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("<details") || l.contains("<pre")), lines.toString());
    }

    @Test
    void anErrorWithoutAThrowableIsOnlyItsOwnLines() {
        CellError compile = new CellError("CompileError", "cannot find symbol", List.of("cannot find symbol", "  x"), null);
        assertEquals(List.of("cannot find symbol", "  x"), CellFailures.traceback(compile));
    }
}
