package dev.quorum.agent.replication;

import dev.quorum.client.PeerCallException;
import dev.quorum.client.wire.InternalOp;
import dev.quorum.client.wire.InternalResult;
import java.util.concurrent.CompletableFuture;

/**
 * One way to reach any replica, this node included: calls to self run against the local store,
 * calls to peers go through their batching pipe. Error results come back as failed futures
 * ({@link ReplicaError}), so callers handle one failure path.
 */
public final class Replicas {
    private final Membership membership;
    private final LocalReplica local;

    public Replicas(Membership membership, LocalReplica local) {
        this.membership = membership;
        this.local = local;
    }

    public Membership membership() {
        return membership;
    }

    public LocalReplica local() {
        return local;
    }

    public CompletableFuture<InternalResult> call(String node, InternalOp op) {
        CompletableFuture<InternalResult> f;
        if (node.equals(membership.selfId())) {
            f = local.execute(op);
        } else {
            Peer p = membership.peer(node);
            if (p == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("unknown node " + node));
            }
            f = p.pipe().submit(op);
        }
        return f.thenApply(r -> {
            if (!r.ok()) {
                throw new ReplicaError(r.error());
            }
            return r;
        });
    }

    /** A replica answered, but with an error (a full disk, say): the op was not applied there. */
    public static final class ReplicaError extends RuntimeException {
        public ReplicaError(String message) {
            super(message);
        }
    }

    /** The failure inside completion wrappers. */
    public static Throwable root(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                        || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** A short reason for a failed replica call, for traces, logs and 503 bodies. */
    public static String describe(Throwable t) {
        Throwable c = root(t);
        if (c instanceof java.util.concurrent.TimeoutException) {
            return "timed out";
        }
        if (c instanceof PeerCallException || c instanceof ReplicaError) {
            return c.getMessage();
        }
        return c.toString();
    }

    /** Whether the failed call may still have been applied (its outcome is unknown). */
    public static boolean maybeApplied(Throwable t) {
        Throwable c = root(t);
        if (c instanceof PeerCallException p) {
            return !p.definitelyNotApplied();
        }
        return !(c instanceof ReplicaError);
    }

    /** Metric label for a failure. */
    public static String reason(Throwable t) {
        Throwable c = root(t);
        if (c instanceof java.util.concurrent.TimeoutException) {
            return "timeout";
        }
        if (c instanceof PeerCallException p) {
            return p.kind().name().toLowerCase(java.util.Locale.ROOT);
        }
        if (c instanceof ReplicaError) {
            return "replica_error";
        }
        return "other";
    }
}
