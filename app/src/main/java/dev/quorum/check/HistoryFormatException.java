package dev.quorum.check;

/** A history file that cannot be read as what it claims to be; the message names the line. */
public final class HistoryFormatException extends Exception {
    private final int line;

    public HistoryFormatException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /**
     * A history whose lines are each well formed but which, taken as a whole, breaks an assumption of the
     * check (for example one session running two operations at once); {@link #line()} is then 0.
     */
    public HistoryFormatException(String message) {
        super(message);
        this.line = 0;
    }

    /** 1-based line number of the offending line; 0 when the problem is not one line's. */
    public int line() {
        return line;
    }
}
