package dev.quorum.agent.replication;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.observe.Events;
import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.agent.store.KeyOrder;
import dev.quorum.agent.store.KeyVersion;
import dev.quorum.agent.store.Record;
import dev.quorum.agent.store.Version;
import dev.quorum.client.wire.InternalOp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Coordinates client requests on any node: places the key on the ring, runs the read or write
 * quorum against its replicas, and repairs what the read found stale. Every method returns a
 * future that completes within the configured request timeout, exceptionally with a
 * {@link QuorumException} when too few replicas answered.
 */
public final class Coordinator {
    public record WriteOutcome(Version version, List<String> ackedBy) {}

    public record ReadOutcome(Optional<Record> record, List<String> answeredBy) {}

    public record ListOutcome(List<String> keys, String next, boolean complete, List<String> unreachable) {}

    private final Replicas replicas;
    private final Events events;
    private final HybridClock clock;
    private final Supplier<ClusterConfig> config;
    private final Clock wall;

    public Coordinator(Replicas replicas, Events events, HybridClock clock, Supplier<ClusterConfig> config, Clock wall) {
        this.replicas = replicas;
        this.events = events;
        this.clock = clock;
        this.config = config;
        this.wall = wall;
    }

    private Membership membership() {
        return replicas.membership();
    }

    private String self() {
        return membership().selfId();
    }

    public CompletableFuture<WriteOutcome> put(String key, byte[] value, String contentType, QuorumSpec q,
            RequestTrace trace) {
        return write(key, v -> Record.value(key, value, contentType, v), q, trace, "put");
    }

    public CompletableFuture<WriteOutcome> delete(String key, QuorumSpec q, RequestTrace trace) {
        return write(key, v -> Record.tombstone(key, v), q, trace, "delete");
    }

    /**
     * Eventual: one phase — version from this node's clock, W acks, sloppy quorum. Strong (ABD):
     * first read the key's versions from R replicas, then write with a version above all of them to
     * W replicas of the preference list, with no stand-ins. Because R + W > N, the read meets every
     * completed write, so the new version is higher than any write that finished before this one
     * started: last-writer-wins then orders writes as real time does.
     */
    private CompletableFuture<WriteOutcome> write(String key, java.util.function.Function<Version, Record> make,
            QuorumSpec q, RequestTrace trace, String op) {
        ClusterConfig cfg = config.get();
        List<String> walk = membership().ring().walk(key);
        List<String> preference = walk.subList(0, cfg.n());
        List<String> standIns = walk.subList(cfg.n(), walk.size());
        Map<String, Integer> fields = quorumFields(cfg.n(), q.strong() ? q.r() : null, q.w());
        trace.plan(preference, fields, q.model().wireName());
        CompletableFuture<Version> version;
        Object[] phase = new Object[1]; // the phase in progress, for a timeout's report
        if (q.strong()) {
            ReadQuorum read = new ReadQuorum(replicas, events, key, q.r(), readOrder(preference), trace, "version-read");
            phase[0] = read;
            version = read.start().thenApply(res -> {
                long floor = res.answers().values().stream().flatMap(Optional::stream)
                        .mapToLong(r -> r.version().hlc()).max().orElse(0);
                clock.observe(floor);
                return new Version(Math.max(clock.now(), floor + 1), self());
            }).exceptionally(e -> {
                // The version read failed: report it as this write's failure — and nothing was written.
                if (Replicas.root(e) instanceof QuorumException qe) {
                    throw new CompletionException(qe.asWrite(op));
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
            });
        } else {
            version = CompletableFuture.completedFuture(new Version(clock.now(), self()));
        }
        CompletableFuture<WriteOutcome> result = version.thenCompose(v -> {
            Record record = make.apply(v);
            WriteQuorum w = new WriteQuorum(replicas, events, wall, record, q.w(), preference, standIns, !q.strong(),
                    trace);
            phase[0] = w;
            return w.start(preference).thenApply(res -> new WriteOutcome(record.version(), res.ackedBy()));
        });
        return withTimeout(result, cfg, () -> phase[0] instanceof ReadQuorum r ? r.timedOut().asWrite(op)
                        : ((WriteQuorum) phase[0]).timedOut())
                .whenComplete((ok, err) -> {
                    if (err != null && Replicas.root(err) instanceof QuorumException qe) {
                        events.quorumFailure(qe.op(), key, qe.needed(), qe.acked().size(), qe.failures(),
                                trace.traceId());
                    }
                });
    }

    /**
     * Eventual: the newest of R answers, then read repair in the background. Strong (ABD): the
     * newest of R answers is returned only once W replicas hold it (write-back), so no later read
     * can return an older value.
     */
    public CompletableFuture<ReadOutcome> get(String key, QuorumSpec q, RequestTrace trace) {
        ClusterConfig cfg = config.get();
        List<String> preference = membership().ring().preferenceList(key, cfg.n());
        trace.plan(preference, quorumFields(cfg.n(), q.r(), q.strong() ? q.w() : null), q.model().wireName());
        ReadQuorum read = new ReadQuorum(replicas, events, key, q.r(), readOrder(preference), trace, "replica");
        Object[] phase = {read};
        CompletableFuture<ReadOutcome> result = read.start().thenCompose(res -> {
            if (cfg.readRepair() && !q.strong()) {
                res.newest().ifPresent(newest -> repair(newest, res.answers(), trace));
            }
            ReadOutcome out = new ReadOutcome(res.newest(), List.copyOf(res.answers().keySet()));
            if (!q.strong() || res.newest().isEmpty()) {
                return CompletableFuture.completedFuture(out);
            }
            Record newest = res.newest().get();
            List<String> holders = res.answers().entrySet().stream()
                    .filter(e -> e.getValue().map(r -> r.version().equals(newest.version())).orElse(false))
                    .map(Map.Entry::getKey).toList();
            WriteBack wb = new WriteBack(replicas, newest, q.w(), holders, trace);
            phase[0] = wb;
            return wb.start(preference).thenApply(h -> out);
        });
        return withTimeout(result, cfg, () -> phase[0] instanceof WriteBack wb ? wb.timedOut()
                        : ((ReadQuorum) phase[0]).timedOut())
                .whenComplete((ok, err) -> {
                    if (err != null && Replicas.root(err) instanceof QuorumException qe) {
                        events.quorumFailure("get", key, qe.needed(), qe.acked().size(), qe.failures(), trace.traceId());
                    }
                });
    }

    /** This node first when it holds the key, then healthy replicas in preference order, suspected-down last. */
    private List<String> readOrder(List<String> preference) {
        List<String> out = new ArrayList<>(preference.size());
        if (preference.contains(self())) {
            out.add(self());
        }
        for (String n : preference) {
            if (!n.equals(self()) && membership().isUp(n)) {
                out.add(n);
            }
        }
        for (String n : preference) {
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Sends the newest version to every replica that answered with an older one or none. */
    private void repair(Record newest, Map<String, Optional<Record>> answers, RequestTrace trace) {
        answers.forEach((node, rec) -> {
            if (rec.isPresent() && !newest.version().isNewerThan(rec.get().version())) {
                return;
            }
            String from = rec.map(x -> x.version().toString()).orElse(null);
            trace.repair(new RequestTrace.Repair(node, from, newest.version().toString()));
            replicas.call(node, InternalOp.put(Wire.toWire(newest), null, trace.traceId(), trace.requested()))
                    .whenComplete((res, err) -> {
                        if (err == null) {
                            events.readRepair(newest.key(), node, from, newest.version().toString(), trace.traceId());
                        }
                    });
        });
    }

    /**
     * Lists live keys by asking every reachable node and merging: per key the newest version wins
     * (so a key deleted on some replicas stays hidden), and a page ends where the shortest full
     * answer ended, so no key is skipped between pages.
     */
    public CompletableFuture<ListOutcome> list(String prefix, String after, int limit) {
        ClusterConfig cfg = config.get();
        List<String> nodes = new ArrayList<>();
        nodes.add(self());
        nodes.addAll(membership().upPeers());
        Map<String, CompletableFuture<List<KeyVersion>>> calls = new LinkedHashMap<>();
        for (String node : nodes) {
            calls.put(node, replicas.call(node, InternalOp.list(prefix, after, limit))
                    .thenApply(r -> r.entries().stream().map(Wire::fromWire).toList()));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(calls.values().stream()
                .map(f -> f.handle((x, e) -> null)).toArray(CompletableFuture[]::new));
        return all.orTimeout(cfg.requestTimeoutMs(), TimeUnit.MILLISECONDS).handle((v, e) -> {
            TreeMap<String, KeyVersion> merged = new TreeMap<>(KeyOrder.UTF8);
            String cutoff = null;
            List<String> answered = new ArrayList<>();
            List<String> unreachable = new ArrayList<>(membership().peers().stream()
                    .map(Peer::id).filter(id -> !nodes.contains(id)).toList());
            for (var entry : calls.entrySet()) {
                List<KeyVersion> got = entry.getValue().getNow(null);
                if (got == null || entry.getValue().isCompletedExceptionally()) {
                    unreachable.add(entry.getKey());
                    continue;
                }
                answered.add(entry.getKey());
                for (KeyVersion kv : got) {
                    merged.merge(kv.key(), kv, (a, b) -> b.version().isNewerThan(a.version()) ? b : a);
                }
                if (got.size() >= limit) {
                    String last = got.get(got.size() - 1).key();
                    if (cutoff == null || KeyOrder.compare(last, cutoff) < 0) {
                        cutoff = last;
                    }
                }
            }
            List<String> keys = new ArrayList<>();
            String next = null;
            for (KeyVersion kv : (cutoff == null ? merged : merged.headMap(cutoff, true)).values()) {
                if (kv.tombstone()) {
                    continue;
                }
                if (keys.size() == limit) {
                    next = keys.get(keys.size() - 1);
                    break;
                }
                keys.add(kv.key());
            }
            if (next == null && cutoff != null) {
                next = cutoff;
            }
            return new ListOutcome(keys, next, covers(answered, cfg.n()), unreachable);
        });
    }

    /** Whether every key range has at least one replica among the nodes that answered. */
    private boolean covers(List<String> answered, int n) {
        return membership().ring().everyRangeHasOneOf(java.util.Set.copyOf(answered), n);
    }

    private static Map<String, Integer> quorumFields(int n, Integer r, Integer w) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("n", n);
        if (r != null) {
            m.put("r", r);
        }
        if (w != null) {
            m.put("w", w);
        }
        return m;
    }

    private static <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, ClusterConfig cfg,
            Supplier<QuorumException> onTimeout) {
        return f.orTimeout(cfg.requestTimeoutMs(), TimeUnit.MILLISECONDS).exceptionally(e -> {
            if (Replicas.root(e) instanceof TimeoutException) {
                throw new CompletionException(onTimeout.get());
            }
            throw e instanceof CompletionException ce ? ce : new CompletionException(e);
        });
    }
}
