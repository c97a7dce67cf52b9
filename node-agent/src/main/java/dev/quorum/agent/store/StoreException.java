package dev.quorum.agent.store;

/**
 * A storage failure, classified so the HTTP layer can name the cause to the operator
 * (a full disk is not the same problem as a foreign file).
 */
public final class StoreException extends RuntimeException {

    public enum Cause {
        /** The disk (or the file system's quota) is full. Reads keep working; writes resume when space returns. */
        DISK_FULL,
        /** The data directory or database file cannot be written. */
        READ_ONLY,
        /** The file is not a SQLite database, or not a Quorum one, or is damaged. */
        CORRUPT,
        /** The store is closing or closed. */
        CLOSED,
        /** Too many writes are queued; the caller should back off. */
        OVERLOADED,
        /** Any other I/O or SQLite error. */
        IO
    }

    private final Cause reason;

    public StoreException(Cause reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public StoreException(Cause reason, String message) {
        this(reason, message, null);
    }

    public Cause reason() {
        return reason;
    }
}
