/**
 * Evaluating Java cells: JShell in the kernel's own JVM, the class loader that holds cell classes (and is the
 * context class loader Spark's local executors use), the cell thread that an interrupt stops, and how compile
 * and runtime errors read. Knows nothing of Jupyter messages or Spark.
 */
package streaminglab.execution;
