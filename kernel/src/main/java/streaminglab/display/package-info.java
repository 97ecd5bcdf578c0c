/**
 * Turning values into what the notebook shows: Datasets as HTML tables with a text fallback. Pure rendering:
 * it may run a Dataset to take its rows, but never publishes anything itself.
 */
package streaminglab.display;
