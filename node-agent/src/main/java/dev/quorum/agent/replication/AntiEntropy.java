package dev.quorum.agent.replication;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.observe.Events;
import dev.quorum.agent.store.KeyVersion;
import dev.quorum.agent.store.Record;
import dev.quorum.agent.store.RowDigest;
import dev.quorum.agent.store.SqliteStore;
import dev.quorum.client.wire.InternalOp;
import dev.quorum.client.wire.InternalResult;
import dev.quorum.client.wire.WireDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Periodic anti-entropy: converges replicas that missed writes for any reason hints and read
 * repair did not cover (a node restarted with an empty disk, a hint lost with its holder).
 *
 * <p>Each round picks one healthy peer and compares the ring ranges both replicate. Ranges are
 * compared by digest (XOR of per-row hashes, see {@link RowDigest}); a range whose digests differ
 * is split in {@value #FANOUT} and compared again — a Merkle tree computed on demand rather than
 * kept — until a differing range holds at most {@value #LEAF_ROWS} rows. Then both sides list that
 * range's keys and versions, and each record goes the way of the newer version: pushed to the peer
 * or pulled from it. Tombstones travel like values, so deletes converge too.
 */
public final class AntiEntropy {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AntiEntropy.class);
    static final int FANOUT = 16;
    static final int LEAF_ROWS = 1_000;
    static final int MAX_DEPTH = 12;

    /** What one round did. */
    public record Round(String peer, String result, int rangesCompared, int pushed, int pulled) {}

    private final Replicas replicas;
    private final Events events;
    private final Supplier<ClusterConfig> config;

    public AntiEntropy(Replicas replicas, Events events, Supplier<ClusterConfig> config) {
        this.replicas = replicas;
        this.events = events;
        this.config = config;
    }

    /** One round with a random healthy peer; null when no peer is up. */
    public Round runOnce() {
        List<String> up = replicas.membership().upPeers();
        if (up.isEmpty()) {
            return null;
        }
        return syncWith(up.get(ThreadLocalRandom.current().nextInt(up.size())));
    }

    /** Compares and repairs every range this node and {@code peer} both replicate. */
    public Round syncWith(String peer) {
        long t0 = System.currentTimeMillis();
        Membership m = replicas.membership();
        List<KeyRange> shared = m.ring().rangesReplicatedOn(config.get().n(), m.selfId(), peer);
        int[] counters = new int[3]; // ranges compared, pushed, pulled
        String result;
        try {
            if (!shared.isEmpty()) {
                compare(peer, shared, 0, counters);
            }
            result = counters[1] + counters[2] == 0 ? "in_sync" : "repaired";
        } catch (RuntimeException e) {
            result = "failed";
            log.warn("anti-entropy with {} failed: {}", peer, Replicas.describe(e));
        }
        Round round = new Round(peer, result, counters[0], counters[1], counters[2]);
        events.antiEntropyRound(peer, result, counters[0], counters[1] + counters[2], System.currentTimeMillis() - t0);
        return round;
    }

    private void compare(String peer, List<KeyRange> ranges, int depth, int[] counters) {
        SqliteStore store = replicas.local().store();
        List<long[]> wire = ranges.stream().map(r -> new long[] {r.lo(), r.hi()}).toList();
        InternalResult remote = replicas.call(peer, InternalOp.digest(wire)).join();
        List<WireDigest> theirs = remote.digests();
        if (theirs == null || theirs.size() != ranges.size()) {
            throw new IllegalStateException("peer " + peer + " answered " + (theirs == null ? 0 : theirs.size())
                    + " digests for " + ranges.size() + " ranges");
        }
        List<KeyRange> deeper = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            KeyRange r = ranges.get(i);
            RowDigest mine = store.digest(r.lo(), r.hi());
            WireDigest other = theirs.get(i);
            counters[0]++;
            if (mine.value() == other.digest() && mine.count() == other.count()) {
                continue;
            }
            if (Math.max(mine.count(), other.count()) <= LEAF_ROWS || depth >= MAX_DEPTH) {
                reconcile(peer, r, counters);
            } else {
                deeper.addAll(r.split(FANOUT));
            }
        }
        // Ask for the next level in batches the peer accepts.
        for (int from = 0; from < deeper.size(); from += LocalReplica.MAX_RANGES) {
            compare(peer, deeper.subList(from, Math.min(deeper.size(), from + LocalReplica.MAX_RANGES)), depth + 1,
                    counters);
        }
    }

    private void reconcile(String peer, KeyRange range, int[] counters) {
        SqliteStore store = replicas.local().store();
        int limit = LocalReplica.MAX_LIST;
        Map<String, KeyVersion> mine = new HashMap<>();
        for (KeyVersion kv : store.entries(range.lo(), range.hi(), limit)) {
            mine.put(kv.key(), kv);
        }
        InternalResult remote = replicas.call(peer, InternalOp.entries(range.lo(), range.hi(), limit)).join();
        Map<String, KeyVersion> theirs = new HashMap<>();
        for (KeyVersion kv : remote.entries().stream().map(Wire::fromWire).toList()) {
            theirs.put(kv.key(), kv);
        }
        List<CompletableFuture<?>> work = new ArrayList<>();
        for (KeyVersion t : theirs.values()) {
            KeyVersion l = mine.get(t.key());
            if (l == null || t.version().isNewerThan(l.version())) {
                work.add(pull(peer, t.key(), counters));
            }
        }
        for (KeyVersion l : mine.values()) {
            KeyVersion t = theirs.get(l.key());
            if (t == null || l.version().isNewerThan(t.version())) {
                work.add(push(peer, l.key(), counters));
            }
        }
        CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
    }

    private CompletableFuture<?> pull(String peer, String key, int[] counters) {
        SqliteStore store = replicas.local().store();
        return replicas.call(peer, InternalOp.get(key, null, false)).thenCompose(res -> {
            if (res.record() == null) {
                return CompletableFuture.completedFuture(null);
            }
            Record rec = Wire.fromWire(res.record(), Integer.MAX_VALUE);
            return store.apply(rec).thenAccept(applied -> {
                if (applied.applied()) {
                    synchronized (counters) {
                        counters[2]++;
                    }
                    events.antiEntropyRepair(peer, key, "pull", rec.version().toString());
                }
            });
        });
    }

    private CompletableFuture<?> push(String peer, String key, int[] counters) {
        return replicas.local().store().get(key)
                .map(rec -> replicas.call(peer, InternalOp.put(Wire.toWire(rec), null, null, false)).thenAccept(res -> {
                    if (Boolean.TRUE.equals(res.applied())) {
                        synchronized (counters) {
                            counters[1]++;
                        }
                        events.antiEntropyRepair(peer, key, "push", rec.version().toString());
                    }
                }))
                .orElse(CompletableFuture.completedFuture(null));
    }
}
