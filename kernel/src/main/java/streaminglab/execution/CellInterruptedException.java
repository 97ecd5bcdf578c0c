package streaminglab.execution;

/** The cell was interrupted by the user (Kernel → Interrupt). */
public final class CellInterruptedException extends RuntimeException {
    public CellInterruptedException() {
        super("The cell was interrupted.");
    }
}
