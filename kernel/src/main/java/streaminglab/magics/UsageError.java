package streaminglab.magics;

/** A magic was called wrongly; the message says what was wrong, and the kernel adds the usage. */
public final class UsageError extends Exception {
    private final String usage;

    public UsageError(String message, String usage) {
        super(message);
        this.usage = usage;
    }

    public String usage() {
        return usage;
    }
}
