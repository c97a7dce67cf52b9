package dev.quorum.agent.causal;

import dev.quorum.agent.replication.Membership;
import dev.quorum.agent.replication.Peer;
import dev.quorum.agent.replication.Replicas;
import dev.quorum.agent.replication.Wire;
import dev.quorum.agent.store.CausalStore;
import dev.quorum.client.wire.InternalOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this node's causal writes to every peer, asynchronously and in sequence order, from the
 * durable {@code causal_log}: one round per peer in flight, each round the next writes the peer has
 * not acknowledged. A peer that is down or partitioned is retried every tick and gets everything it
 * missed once it answers again — also after this node restarts, since the log is on disk. Writes
 * every peer has acknowledged are dropped from the log.
 *
 * <p>Runs whatever the cluster's model is now: writes made in causal mode still reach everyone after
 * a switch to another model.
 */
public final class CausalShipper {
    private static final Logger log = LoggerFactory.getLogger(CausalShipper.class);
    static final int BATCH = 256;
    static final long TICK_MS = 50;

    private final CausalReplica replica;
    private final CausalStore store;
    private final Replicas replicas;
    private final ScheduledExecutorService executor;
    /** Per peer: the highest of our sequence numbers it has applied (0 until it says). */
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Boolean> gapReported = new ConcurrentHashMap<>();
    /** Per peer: no round before this time (nanoTime), after a round that failed or made no progress. */
    private final Map<String, Long> notBefore = new ConcurrentHashMap<>();
    static final long BACKOFF_MS = 200;
    private final AtomicBoolean kicked = new AtomicBoolean();
    private volatile long truncatedUpTo;

    public CausalShipper(CausalReplica replica, CausalStore store, Replicas replicas, ScheduledExecutorService executor) {
        this.replica = replica;
        this.store = store;
        this.replicas = replicas;
        this.executor = executor;
    }

    private Membership membership() {
        return replicas.membership();
    }

    public void start() {
        executor.scheduleWithFixedDelay(this::round, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::truncate, 1_000, 1_000, TimeUnit.MILLISECONDS);
    }

    /** A new own write committed: ship it now rather than at the next tick. */
    public void kick() {
        if (kicked.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    kicked.set(false);
                    round();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                kicked.set(false);
            }
        }
    }

    /** Writes of ours not yet acknowledged by every peer. */
    public long unshipped() {
        long mine = replica.applied().get(replica.self());
        long min = mine;
        for (Peer p : membership().peers()) {
            min = Math.min(min, acked.getOrDefault(p.id(), 0L));
        }
        return mine - min;
    }

    /** How far one peer is behind this node's log. */
    public record Lag(long acked, long entries, double seconds) {}

    /**
     * Per peer: how many of this node's logged writes it has not applied, and for how long the oldest
     * of them has waited (from its commit here, by the write's version clock; 0 when caught up).
     */
    public Map<String, Lag> lag() {
        long mine = replica.applied().get(replica.self());
        Map<String, Lag> out = new java.util.TreeMap<>();
        long now = System.currentTimeMillis();
        for (Peer p : membership().peers()) {
            long a = acked.getOrDefault(p.id(), 0L);
            double seconds = 0;
            if (a < mine) {
                List<CausalStore.Logged> first = store.log(a, 1);
                if (!first.isEmpty()) {
                    seconds = Math.max(0, now - first.get(0).record().version().physicalMillis()) / 1000.0;
                }
            }
            out.put(p.id(), new Lag(a, Math.max(0, mine - a), seconds));
        }
        return out;
    }

    /** Per peer, how far it has acknowledged our writes (for status). */
    public Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    private void round() {
        long mine = replica.applied().get(replica.self());
        for (Peer p : membership().peers()) {
            long a = acked.getOrDefault(p.id(), 0L);
            if (a >= mine || System.nanoTime() - notBefore.getOrDefault(p.id(), Long.MIN_VALUE / 2) < 0) {
                continue;
            }
            AtomicBoolean busy = inFlight.computeIfAbsent(p.id(), id -> new AtomicBoolean());
            if (busy.compareAndSet(false, true)) {
                try {
                    ship(p.id(), a);
                } catch (RuntimeException e) {
                    busy.set(false);
                    log.warn("causal shipping to {} failed: {}", p.id(), e.toString());
                }
            }
        }
    }

    private void ship(String peer, long after) {
        List<CausalStore.Logged> batch = store.log(after, BATCH);
        if (batch.isEmpty()) {
            inFlight.get(peer).set(false);
            return;
        }
        if (batch.get(0).seq() > after + 1 && gapReported.putIfAbsent(peer, true) == null) {
            log.atWarn().addKeyValue("event", "causal_gap").addKeyValue("peer", peer)
                    .addKeyValue("peer_applied", after).addKeyValue("log_starts_at", batch.get(0).seq())
                    .log("{} has applied our causal writes up to {}, but the log starts at {}: the writes between"
                            + " are gone from the log (was its data directory wiped?); it gets them from"
                            + " anti-entropy in another model", peer, after, batch.get(0).seq());
        }
        List<CompletableFuture<Long>> acks = new ArrayList<>(batch.size());
        for (CausalStore.Logged w : batch) {
            acks.add(replicas.call(peer, InternalOp.causal(Wire.toWire(w.record()), replica.self(), w.seq(),
                    w.deps().toMap())).thenApply(r -> r.seq() == null ? 0L : r.seq()));
        }
        CompletableFuture.allOf(acks.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> {
                    long best = after;
                    boolean failed = false;
                    for (CompletableFuture<Long> f : acks) {
                        Long got = f.isCompletedExceptionally() ? null : f.getNow(null);
                        if (got == null) {
                            failed = true;
                        } else {
                            best = Math.max(best, got);
                        }
                    }
                    long ack = best;
                    acked.merge(peer, ack, Math::max);
                    if (failed || ack == after) {
                        // Down, partitioned, or holding our writes back for dependencies it lacks: not every tick.
                        notBefore.put(peer, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BACKOFF_MS));
                    }
                    inFlight.get(peer).set(false);
                    if (!failed && ack > after) {
                        kick(); // more may be waiting
                    }
                });
    }

    /** Drops logged writes every peer has applied. */
    private void truncate() {
        long mine = replica.applied().get(replica.self());
        long min = mine;
        for (Peer p : membership().peers()) {
            min = Math.min(min, acked.getOrDefault(p.id(), 0L));
        }
        if (min > truncatedUpTo) {
            long upTo = min;
            store.truncate(upTo).thenRun(() -> truncatedUpTo = upTo);
        }
    }

    /** For status: the first write still in the log. */
    public Optional<Long> firstLogged() {
        return store.firstLogged();
    }
}
