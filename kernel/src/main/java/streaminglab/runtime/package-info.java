/**
 * What notebook code may call: {@code display(x)} and friends, statically imported into every notebook. The
 * kernel attaches its services here; cells never see the kernel itself.
 */
package streaminglab.runtime;
