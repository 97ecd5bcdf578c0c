/**
 * The output router: the one way output leaves the kernel. Every thread's System.out/err, displays and display
 * updates go to the cell that started that work, also after the cell finished. Nothing else writes to IOPub
 * for a cell. A display that changes in place (a live view, a feed's or producer's progress, a Spark job's
 * progress bar) is an {@link streaminglab.output.UpdatingDisplay}: its id, first show, throttle and routing.
 */
package streaminglab.output;
