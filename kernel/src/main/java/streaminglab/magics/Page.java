package streaminglab.magics;

/**
 * What a cell answers in the front end's pager (the {@code page} payload of execute_reply) instead of in
 * its output, as IPython does for {@code NAME?}: {@code %help NAME} returns one.
 */
public record Page(String text) {
}
