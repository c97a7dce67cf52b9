package dev.quorum.agent.causal;

import dev.quorum.agent.consistency.VectorClock;
import java.util.Map;

/**
 * A causal request whose session depends on writes that neither this node nor any reachable replica
 * has applied within the wait: answered 503 {@code causal_unavailable}, never from older state.
 */
public final class CausalUnavailableException extends RuntimeException {
    private final VectorClock needed;
    private final VectorClock applied;
    private final Map<String, String> tried;

    public CausalUnavailableException(String message, VectorClock needed, VectorClock applied, Map<String, String> tried) {
        super(message);
        this.needed = needed;
        this.applied = applied;
        this.tried = Map.copyOf(tried);
    }

    /** What the session's token asks for. */
    public VectorClock needed() {
        return needed;
    }

    /** What the coordinator had applied when it gave up. */
    public VectorClock applied() {
        return applied;
    }

    /** Other replicas asked, and why each could not answer. */
    public Map<String, String> tried() {
        return tried;
    }
}
