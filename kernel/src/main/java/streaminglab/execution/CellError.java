package streaminglab.execution;

import java.util.List;

/**
 * A cell failed in a way the notebook should show as an error: a name (what kind of failure),
 * a one-line message, the lines of its traceback, and, where there is one, the cause.
 */
public class CellError extends Exception {
    private final String name;
    private final List<String> traceback;

    public CellError(String name, String message, List<String> traceback, Throwable cause) {
        super(message, cause);
        this.name = name;
        this.traceback = List.copyOf(traceback);
    }

    public String name() {
        return name;
    }

    public List<String> traceback() {
        return traceback;
    }
}
