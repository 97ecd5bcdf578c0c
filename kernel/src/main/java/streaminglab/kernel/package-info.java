/**
 * The kernel: speaks the Jupyter protocol (through the base library) and wires the parts together.
 * A cell flows execute_request → {@link streaminglab.kernel.CellRunner} (magics, or JShell on a cell thread) →
 * value → {@link streaminglab.display.ValueRenderer} → {@link streaminglab.output.OutputRouter} → IOPub.
 * It owns the order of replies and IOPub messages; it does not format tables or run Spark itself.
 */
package streaminglab.kernel;
