package streaminglab.execution;

import jdk.jshell.EvalException;

/** Cell code threw: carries the original Throwable, so it can be explained and rendered. */
public final class CellRuntimeError extends Exception {
    private final EvalException jshellView;

    CellRuntimeError(Throwable thrown, EvalException jshellView) {
        super(thrown.getMessage(), thrown);
        this.jshellView = jshellView;
    }

    /** What the cell threw. */
    public Throwable thrown() {
        return getCause();
    }

    /** The exception's class name, also when only JShell's copy of it is left. */
    public String thrownClassName() {
        if (jshellView != null && getCause() == jshellView) return jshellView.getExceptionClassName();
        return getCause().getClass().getName();
    }
}
