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
    /** Per peer: when we last asked a caught-up peer how far it really is (nanoTime). */
    private final Map<String, Long> lastCheck = new ConcurrentHashMap<>();
    /** A caught-up peer is asked this often whether it still has our writes (it may have lost its data). */
    static final long CHECK_MS = 2_000;
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
        return replica.applied().get(replica.self()) - appliedEverywhere();
    }

    /** How far every peer has applied this node's log (at most this node's own position). */
    private long appliedEverywhere() {
        long min = replica.applied().get(replica.self());
        for (Peer p : membership().peers()) {
            min = Math.min(min, acked.getOrDefault(p.id(), 0L));
        }
        return min;
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
            if (System.nanoTime() - notBefore.getOrDefault(p.id(), Long.MIN_VALUE / 2) < 0) {
                continue;
            }
            if (a >= mine) {
                if (a > 0 && System.nanoTime() - lastCheck.getOrDefault(p.id(), 0L) > TimeUnit.MILLISECONDS.toNanos(CHECK_MS)) {
                    lastCheck.put(p.id(), System.nanoTime());
                    check(p.id(), a);
                }
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

    /** Asks a caught-up peer how far it has applied our log (a no-op skip); a peer that lost data is then fed again. */
    private void check(String peer, long believed) {
        replicas.call(peer, InternalOp.causalSkip(replica.self(), 0)).whenComplete((r, e) -> {
            if (e == null && r.seq() != null && r.seq() < believed) {
                log.atWarn().addKeyValue("event", "peer_behind").addKeyValue("peer", peer)
                        .addKeyValue("peer_applied", r.seq()).addKeyValue("was", believed)
                        .log("{} now reports our writes applied up to {} (was {}): it lost data", peer, r.seq(), believed);
                acked.put(peer, r.seq());
                kick();
            }
        });
    }

    private void ship(String peer, long after) {
        List<CausalStore.Logged> batch = store.log(after, BATCH);
        long mine = replica.applied().get(replica.self());
        if (batch.isEmpty() && after >= mine) {
            inFlight.get(peer).set(false);
            return;
        }
        if (batch.isEmpty() || batch.get(0).seq() > after + 1) {
            log.atWarn().addKeyValue("event", "causal_gap").addKeyValue("peer", peer)
                    .addKeyValue("peer_applied", after)
                    .addKeyValue("log_starts_at", batch.isEmpty() ? mine + 1 : batch.get(0).seq())
                    .log("{} has applied our writes up to {}, but the log no longer holds the next ones (was its"
                            + " data directory wiped?): sending it a snapshot", peer, after);
            snapshot(peer);
            return;
        }
        List<CompletableFuture<Long>> acks = new ArrayList<>(batch.size());
        for (CausalStore.Logged w : batch) {
            acks.add(replicas.call(peer, InternalOp.causal(Wire.toWire(w.record()), replica.self(), w.seq(),
                    w.deps().toMap())).thenApply(r -> r.seq() == null ? 0L : r.seq()));
        }
        CompletableFuture.allOf(acks.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> {
                    long best = -1;
                    boolean failed = false;
                    for (CompletableFuture<Long> f : acks) {
                        Long got = f.isCompletedExceptionally() ? null : f.getNow(null);
                        if (got == null) {
                            failed = true;
                        } else {
                            best = Math.max(best, got);
                        }
                    }
                    // The peer's answer is the truth, also downwards: a peer that lost its data says so.
                    long ack = best < 0 ? after : best;
                    if (ack < after) {
                        log.atWarn().addKeyValue("event", "peer_behind").addKeyValue("peer", peer)
                                .addKeyValue("peer_applied", ack).addKeyValue("was", after)
                                .log("{} now reports our writes applied up to {} (was {}): it lost data", peer, ack,
                                        after);
                    }
                    acked.put(peer, ack);
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

    /**
     * Brings a peer that lost writes no longer in the log up to date: copies every record this node
     * holds (last-writer-wins at the peer, so newer data there is kept), then tells it that our log up
     * to the position taken at the start is applied. Shipping resumes from there; writes made during
     * the copy are shipped again, harmlessly. Runs on the shipping thread; the peer's in-flight flag
     * stays set until it ends.
     */
    private void snapshot(String peer) {
        long upTo = replica.applied().get(replica.self());
        long started = System.nanoTime();
        log.atInfo().addKeyValue("event", "snapshot_started").addKeyValue("peer", peer).addKeyValue("position", upTo)
                .log("snapshot to {} started (our log position {})", peer, upTo);
        long[] copied = {0};
        copyPage(peer, null, copied)
                .thenCompose(v -> replicas.call(peer, InternalOp.causalSkip(replica.self(), upTo)))
                .whenComplete((r, e) -> {
                    if (e == null) {
                        acked.put(peer, r.seq() == null ? upTo : r.seq());
                        log.atInfo().addKeyValue("event", "snapshot_done").addKeyValue("peer", peer)
                                .addKeyValue("records", copied[0]).addKeyValue("position", upTo)
                                .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
                                .log("snapshot to {} done: {} records, position {}", peer, copied[0], upTo);
                    } else {
                        log.warn("snapshot to {} failed (retried later): {}", peer, e.toString());
                        notBefore.put(peer, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                    }
                    inFlight.get(peer).set(false);
                });
    }

    /** Copies the records after {@code after} (key order, 256 a page), then the next page. */
    private CompletableFuture<Void> copyPage(String peer, String after, long[] copied) {
        List<dev.quorum.agent.store.KeyVersion> page = store.store().list("", after, BATCH);
        if (page.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> sent = new ArrayList<>(page.size());
        for (dev.quorum.agent.store.KeyVersion kv : page) {
            store.store().get(kv.key()).ifPresent(rec -> {
                sent.add(replicas.call(peer, InternalOp.put(Wire.toWire(rec), null, null, false)));
                copied[0]++;
            });
        }
        String last = page.get(page.size() - 1).key();
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                .thenComposeAsync(v -> copyPage(peer, last, copied), executor);
    }

    /** Drops logged writes every peer has applied. */
    private void truncate() {
        long min = appliedEverywhere();
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
