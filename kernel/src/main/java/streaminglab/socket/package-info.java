/**
 * The text socket server in place of {@code ncat -lk 9999}: {@code %socket} and {@code %%socket send}. Binds
 * 127.0.0.1 unless configured; stopped with the kernel.
 */
package streaminglab.socket;
