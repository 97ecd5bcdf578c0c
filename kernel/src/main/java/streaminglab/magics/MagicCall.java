package streaminglab.magics;

/** One use of a magic: its arguments and, for a cell magic, the body below the first line. */
public record MagicCall(String name, MagicArgs args, String body) {
    public boolean isCell() {
        return body != null;
    }
}
