package streaminglab.magics;

/**
 * One family of magics, e.g. {@code %spark} or {@code %%sql}. It parses its own arguments
 * with {@link MagicArgs} and returns a value the renderer shows (or null for nothing).
 */
public interface Magic {
    /** The name after the percent sign(s). */
    String name();

    /** One line for {@code %lsmagic}. */
    String summary();

    /** Full usage text for {@code %help NAME} and for wrong arguments. */
    String usage();

    /** True if it can be a line magic ({@code %name}). */
    default boolean isLine() {
        return true;
    }

    /** True if it can be a cell magic ({@code %%name}, the rest of the cell is its body). */
    default boolean isCell() {
        return false;
    }

    Object run(MagicCall call) throws Exception;
}
