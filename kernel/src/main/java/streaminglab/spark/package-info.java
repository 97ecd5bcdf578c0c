/**
 * The notebook's SparkSession (started in the background), Spark jobs tagged per cell so an interrupt cancels
 * them, the job progress bar, and Spark's errors made readable.
 */
package streaminglab.spark;
