package dev.quorum.agent.replication;

import java.util.List;
import java.util.Map;

/**
 * Too few replicas answered. Answered as 503 with every field below, so the client can tell a
 * write that certainly did not happen ({@code outcome = not_applied}) from one that may have
 * ({@code unknown}: some replica acknowledged it, or timed out after receiving it).
 */
public final class QuorumException extends RuntimeException {
    private final String op;
    private final int needed;
    private final List<String> acked;
    private final Map<String, String> failures;
    private final boolean maybeApplied;

    public QuorumException(String op, int needed, List<String> acked, Map<String, String> failures,
            boolean maybeApplied) {
        super(op + " needed " + needed + " replicas, " + acked.size() + " answered");
        this.op = op;
        this.needed = needed;
        this.acked = List.copyOf(acked);
        this.failures = Map.copyOf(failures);
        this.maybeApplied = maybeApplied;
    }

    /** The same failure reported for a write whose first (read) phase failed: nothing was written. */
    public QuorumException asWrite(String writeOp) {
        return new QuorumException(writeOp, needed, acked, failures, false);
    }

    public String op() {
        return op;
    }

    public int needed() {
        return needed;
    }

    public List<String> acked() {
        return acked;
    }

    public Map<String, String> failures() {
        return failures;
    }

    /** For writes: {@code unknown} or {@code not_applied}; reads change nothing. */
    public String outcome() {
        return maybeApplied ? "unknown" : "not_applied";
    }
}
