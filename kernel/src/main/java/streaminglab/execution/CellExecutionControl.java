package streaminglab.execution;

import jdk.jshell.execution.DirectExecutionControl;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * JShell's execution engine for the lab: snippets run in this JVM, loaded by the
 * {@link CellClassLoader}, on the thread that evaluates the cell (a {@link CellThread}). It keeps the last value and the last
 * exception as objects (JShell itself only sees strings), so the kernel can render a Dataset
 * as a table and format a Spark error from the exception itself.
 */
final class CellExecutionControl extends DirectExecutionControl {
    private volatile Object lastValue;
    private volatile Throwable lastFailure;

    CellExecutionControl(CellLoaderDelegate delegate) {
        super(delegate);
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        lastValue = null;
        lastFailure = null;
        try {
            Object value = doitMethod.invoke(null);
            lastValue = value;
            return valueString(value);
        } catch (InvocationTargetException e) {
            lastFailure = e.getCause() instanceof ThreadDeath ? new CellInterruptedException() : e.getCause();
            throw e;
        }
    }

    /** The value of the last snippet run, as an object. */
    Object takeValue() {
        Object v = lastValue;
        lastValue = null;
        return v;
    }

    /** What the last snippet threw, as the original Throwable. */
    Throwable takeFailure() {
        Throwable t = lastFailure;
        lastFailure = null;
        return t;
    }

    @Override
    public void stop() {
        // interrupts go through CellThread, which owns the thread the cell runs on
    }
}
