package streaminglab.output;

import java.nio.file.Path;

/**
 * How much of one cell's stdout and stderr the notebook shows (bytes), and the folder where the rest of
 * a cell's output is kept.
 */
public record OutputLimit(long bytes, Path spillDir) {
    public OutputLimit {
        if (bytes < 1) throw new IllegalArgumentException("an output limit must be at least one byte, not " + bytes);
    }
}
