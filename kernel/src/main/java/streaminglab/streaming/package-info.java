/**
 * Streaming queries in the notebook: a live view per query (Spark's listener events and the live console sink
 * feed it), {@code %stream}, {@code %checkpoint} and {@code display(streamingDataset)}. Publishes only through
 * the output router.
 */
package streaminglab.streaming;
