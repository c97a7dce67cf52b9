package dev.quorum.agent.replication;

import dev.quorum.agent.consistency.Consistency;

/**
 * How one request is to be served: the consistency model and its read and write quorums (the
 * cluster's, or the request's own where the cluster allows it).
 */
public record QuorumSpec(Consistency model, int r, int w) {
    public boolean strong() {
        return model == Consistency.STRONG;
    }
}
