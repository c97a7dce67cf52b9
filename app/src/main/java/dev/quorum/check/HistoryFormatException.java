package dev.quorum.check;

/** A history file that cannot be read as what it claims to be; the message names the line. */
public final class HistoryFormatException extends Exception {
    private final int line;

    public HistoryFormatException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** 1-based line number of the offending line. */
    public int line() {
        return line;
    }
}
