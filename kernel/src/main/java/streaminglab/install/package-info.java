/**
 * Installing and removing the kernelspec (kernel.json with Spark's JVM options and the heap setting, logos).
 */
package streaminglab.install;
