/**
 * Every setting of the lab in one place: its environment variable, default and meaning.
 */
package streaminglab.config;
