package dev.quorum.agent.causal;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.VectorClock;
import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.agent.replication.Replicas;
import dev.quorum.agent.replication.Wire;
import dev.quorum.agent.store.CausalStore;
import dev.quorum.agent.store.Record;
import dev.quorum.client.wire.InternalOp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Serves client requests in the causal model. Every node holds every key (causal mode needs
 * {@code n} = cluster size), so a request is answered by the node that received it, from its own
 * store, once that store includes the session's dependencies (the token): a bounded wait, then — for
 * a read — any other replica that already has them, else 503. Writes commit locally and are shipped
 * to the others in the background ({@link CausalShipper}). Each answer carries the session's new token.
 */
public final class CausalCoordinator {
    /** A write's outcome and the session's token after it. */
    public record WriteOutcome(dev.quorum.agent.store.Version version, VectorClock token, long seq) {}

    /** A read's outcome: the record (absent or a tombstone for 404), who answered, and the session's token after it. */
    public record ReadOutcome(Optional<Record> record, String answeredBy, VectorClock token) {}

    private final CausalReplica replica;
    private final CausalStore store;
    private final Replicas replicas;
    private final Supplier<ClusterConfig> config;

    public CausalCoordinator(CausalReplica replica, CausalStore store, Replicas replicas,
            Supplier<ClusterConfig> config) {
        this.replica = replica;
        this.store = store;
        this.replicas = replicas;
        this.config = config;
    }

    /** How long a request waits for this node to catch up with its session: a third of the request timeout, at most 1 s. */
    long waitMs() {
        return Math.max(1, Math.min(1_000, config.get().requestTimeoutMs() / 3));
    }

    public CompletableFuture<WriteOutcome> put(String key, byte[] value, String contentType, VectorClock token,
            RequestTrace trace) {
        return write(key, v -> Record.value(key, value, contentType, v), token, trace);
    }

    public CompletableFuture<WriteOutcome> delete(String key, VectorClock token, RequestTrace trace) {
        return write(key, v -> Record.tombstone(key, v), token, trace);
    }

    private CompletableFuture<WriteOutcome> write(String key, Function<dev.quorum.agent.store.Version, Record> make,
            VectorClock token, RequestTrace trace) {
        trace.plan(List.of(replica.self()), Map.of(), "causal");
        long started = System.nanoTime();
        return replica.await(token, waitMs()).exceptionally(e -> {
            throw unavailable(e, token, Map.of());
        }).thenCompose(v -> replica.write(make, token)).thenApply(local -> {
            trace.step(new RequestTrace.Step(replica.self(), "replica", null, "ok", local.version().toString(),
                    (System.nanoTime() - started) / 1e6, null));
            return new WriteOutcome(local.version(), token.with(replica.self(), local.seq()), local.seq());
        });
    }

    public CompletableFuture<ReadOutcome> get(String key, VectorClock token, RequestTrace trace) {
        trace.plan(List.of(replica.self()), Map.of(), "causal");
        long started = System.nanoTime();
        return replica.await(token, waitMs()).handle((v, e) -> {
            if (e == null) {
                // A point read, like the other models' local replica reads: quick enough for any thread.
                return CompletableFuture.completedFuture(readLocal(key, token, trace, started));
            }
            if (!(Replicas.root(e) instanceof TimeoutException)) {
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
            }
            return readElsewhere(key, token, trace);
        }).thenCompose(f -> f);
    }

    private ReadOutcome readLocal(String key, VectorClock token, RequestTrace trace, long started) {
        Optional<Record> rec = store.store().get(key);
        VectorClock after = token;
        Optional<CausalStore.Stamp> stamp = store.stamp(key);
        if (stamp.isPresent()) {
            after = after.with(stamp.get().origin(), stamp.get().seq());
        }
        trace.step(new RequestTrace.Step(replica.self(), "replica", null, rec.isPresent() ? "ok" : "not_found",
                rec.map(r -> r.version().toString()).orElse(null), (System.nanoTime() - started) / 1e6, null));
        return new ReadOutcome(rec, replica.self(), after);
    }

    /** This node lags the session: ask the other nodes, in turn, for a replica that does not. */
    private CompletableFuture<ReadOutcome> readElsewhere(String key, VectorClock token, RequestTrace trace) {
        List<String> peers = replicas.membership().upPeers();
        return tryPeers(key, token, trace, peers, 0, new LinkedHashMap<>());
    }

    private CompletableFuture<ReadOutcome> tryPeers(String key, VectorClock token, RequestTrace trace,
            List<String> peers, int i, Map<String, String> tried) {
        if (i >= peers.size()) {
            return CompletableFuture.failedFuture(unavailable(new TimeoutException(), token, tried));
        }
        String peer = peers.get(i);
        long started = System.nanoTime();
        return replicas.call(peer, InternalOp.causalRead(key, token.toMap(), trace.traceId(), trace.requested()))
                .handle((res, err) -> {
                    double ms = (System.nanoTime() - started) / 1e6;
                    if (err != null) {
                        String why = Replicas.describe(err);
                        tried.put(peer, why);
                        trace.step(new RequestTrace.Step(peer, "replica", null, "error", null, ms, why));
                        return tryPeers(key, token, trace, peers, i + 1, tried);
                    }
                    Optional<Record> rec = Optional.ofNullable(res.record())
                            .map(w -> Wire.fromWire(w, Integer.MAX_VALUE));
                    VectorClock after = res.origin() != null && res.seq() != null
                            ? token.with(res.origin(), res.seq()) : token;
                    trace.step(new RequestTrace.Step(peer, "replica", null, rec.isPresent() ? "ok" : "not_found",
                            rec.map(r -> r.version().toString()).orElse(null), ms, null));
                    return CompletableFuture.completedFuture(new ReadOutcome(rec, peer, after));
                }).thenCompose(f -> f);
    }

    private CausalUnavailableException unavailable(Throwable cause, VectorClock token, Map<String, String> tried) {
        Throwable root = Replicas.root(cause);
        if (!(root instanceof TimeoutException)) {
            throw root instanceof RuntimeException re ? re : new CompletionException(root);
        }
        VectorClock have = replica.applied();
        return new CausalUnavailableException("the session depends on writes " + missing(token, have) + " that "
                + replica.self() + " has not received within " + waitMs() + " ms"
                + (tried.isEmpty() ? "" : ", and no other replica could answer"), token, have, tried);
    }

    private static String missing(VectorClock needed, VectorClock have) {
        StringBuilder sb = new StringBuilder();
        needed.toMap().forEach((o, s) -> {
            if (have.get(o) < s) {
                sb.append(sb.isEmpty() ? "" : ", ").append(o).append(' ').append(have.get(o) + 1).append("..").append(s);
            }
        });
        return sb.toString();
    }
}
