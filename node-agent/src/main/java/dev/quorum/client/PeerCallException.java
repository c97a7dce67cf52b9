package dev.quorum.client;

/**
 * A call to another Quorum process failed. {@link Kind} tells whether the request may have taken
 * effect: after a {@code CONNECT} failure it certainly did not; after a {@code TIMEOUT} or an
 * interrupted response it may have — a write's outcome is then unknown and a retry must be safe
 * to repeat (replica puts are: applying the same version twice changes nothing).
 */
public final class PeerCallException extends RuntimeException {

    public enum Kind {
        /** Could not connect: the request was not sent. */
        CONNECT,
        /** No complete answer in time: the request may or may not have been applied. */
        TIMEOUT,
        /** The peer answered with an error status. */
        HTTP,
        /** The answer could not be understood. */
        PROTOCOL,
        /** The sender refused to queue more work for this peer. */
        OVERLOADED
    }

    private final Kind kind;
    private final int status;

    public PeerCallException(Kind kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    public PeerCallException(Kind kind, String message) {
        this(kind, 0, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status for {@link Kind#HTTP}, else 0. */
    public int status() {
        return status;
    }

    /** Whether the call certainly had no effect on the peer. */
    public boolean definitelyNotApplied() {
        return kind == Kind.CONNECT || kind == Kind.OVERLOADED || (kind == Kind.HTTP && status >= 400 && status < 500);
    }
}
