/**
 * The output router: the one way output leaves the kernel. Every thread's System.out/err, displays and display
 * updates go to the cell that started that work, also after the cell finished. Nothing else writes to IOPub
 * for a cell.
 */
package streaminglab.output;
