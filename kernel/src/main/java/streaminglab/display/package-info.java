/**
 * Turning values into what the notebook shows: Datasets as tables with a text fallback. {@link streaminglab.display.Html}
 * is the one place that writes HTML and escapes text for it: every table, facts table, progress bar, status line and
 * chart of the kernel is drawn there, and nothing from data reaches the page unescaped. Pure rendering: it may run a
 * Dataset to take its rows, but never publishes anything itself.
 */
package streaminglab.display;
