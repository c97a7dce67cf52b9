package dev.quorum.agent.causal;

import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.consistency.VectorClock;
import dev.quorum.agent.store.ApplyResult;
import dev.quorum.agent.store.CausalStore;
import dev.quorum.agent.store.Record;
import dev.quorum.agent.store.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of the causal model: which causal writes it has applied (its vector clock), the
 * writes from other origins waiting for their dependencies, and the requests waiting for a session's
 * dependencies to arrive.
 *
 * <p>The apply rule, at every replica: write {@code seq} of origin {@code o} with dependencies
 * {@code D} is applied once write {@code seq - 1} of {@code o} and every write in {@code D} have
 * been. So when this node has applied a vector {@code V}, it holds every write {@code V} names and,
 * transitively, everything those depended on: a session token that {@code V} covers is safe to
 * answer from here. Concurrent writes to one key settle by last-writer-wins on their versions, and a
 * write's version is above those of its dependencies (the coordinator's hybrid clock has seen them),
 * so causal order and last-writer-wins never disagree.
 *
 * <p>Two vectors are kept: {@code applied} (committed to SQLite: what reads and tokens may rely on)
 * and {@code accepted} (handed to the store's writer, which commits in order). Apply decisions use
 * {@code accepted}, so a write waits behind its dependency in the writer's queue instead of for its
 * commit; the transaction itself re-checks sequence and dependencies, so a failed commit can never
 * leave a hole that the vector hides.
 */
public final class CausalReplica {
    private static final Logger log = LoggerFactory.getLogger(CausalReplica.class);
    /** Writes from other origins held back for their dependencies; past this, new ones are dropped (and resent). */
    static final int MAX_PENDING = 50_000;

    /** A write of another origin, as shipped. */
    public record Incoming(String origin, long seq, VectorClock deps, Record record) {}

    /** A write this node coordinated: its sequence number and version. */
    public record Local(long seq, Version version, boolean applied) {}

    private final String self;
    private final CausalStore store;
    private final HybridClock clock;
    private final Executor callbacks;
    private final Runnable onLocalCommit;

    private volatile VectorClock applied;
    /** Guarded by {@code this}. */
    private VectorClock accepted;
    private final Map<String, TreeMap<Long, Incoming>> pending = new HashMap<>();
    private int pendingCount;
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(VectorClock needed, CompletableFuture<VectorClock> done) {}

    /**
     * @param callbacks where waiting requests resume (never the store's writer thread)
     * @param onLocalCommit told after each own write commits (the shipper sends it on)
     */
    public CausalReplica(String self, CausalStore store, HybridClock clock, Executor callbacks, Runnable onLocalCommit) {
        this.self = self;
        this.store = store;
        this.clock = clock;
        this.callbacks = callbacks;
        this.onLocalCommit = onLocalCommit;
        this.applied = store.applied();
        this.accepted = applied;
    }

    public String self() {
        return self;
    }

    /** What this node has applied (committed). */
    public VectorClock applied() {
        return applied;
    }

    public synchronized int pendingCount() {
        return pendingCount;
    }

    /**
     * Completes once this node has applied everything {@code needed} names — at once when it already
     * has — with the applied vector at that moment; exceptionally with {@link java.util.concurrent.TimeoutException}
     * after {@code timeoutMs}.
     */
    public CompletableFuture<VectorClock> await(VectorClock needed, long timeoutMs) {
        VectorClock now = applied;
        if (now.covers(needed)) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<VectorClock> done = new CompletableFuture<>();
        Waiter w = new Waiter(needed, done);
        synchronized (this) {
            waiters.add(w);
        }
        // Re-check: a commit may have landed between the first look and the registration.
        now = applied;
        if (now.covers(needed)) {
            remove(w);
            return CompletableFuture.completedFuture(now);
        }
        return done.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((v, e) -> remove(w));
    }

    private synchronized void remove(Waiter w) {
        waiters.remove(w);
    }

    /**
     * Writes a value (or tombstone) coordinated here, after the session's dependencies: the caller
     * has waited for {@code deps} to be applied. The sequence number is assigned inside the store's
     * transaction, so a failed commit uses none.
     */
    public CompletableFuture<Local> write(Function<Version, Record> make, VectorClock deps) {
        Record rec = make.apply(new Version(clock.now(), self));
        return store.applyOwn(rec, self, deps).thenApply(res -> {
            committed(self, res.seq());
            onLocalCommit.run();
            return new Local(res.seq(), rec.version(), res.result().applied());
        });
    }

    /**
     * Takes writes shipped by another origin. Each future completes with the sender's acknowledgement:
     * how far this node has applied that origin's writes — at once for a write already applied or one
     * that must wait for dependencies, after the commit for a write applied now.
     */
    public List<CompletableFuture<Long>> receive(List<Incoming> writes) {
        List<CompletableFuture<Long>> out = new ArrayList<>(writes.size());
        List<CompletableFuture<Long>> started;
        synchronized (this) {
            Map<Incoming, CompletableFuture<Long>> commits = new HashMap<>();
            for (Incoming in : writes) {
                clock.observe(in.record().version().hlc());
                if (in.seq() > accepted.get(in.origin()) && pendingCount < MAX_PENDING) {
                    TreeMap<Long, Incoming> q = pending.computeIfAbsent(in.origin(), o -> new TreeMap<>());
                    if (q.putIfAbsent(in.seq(), in) == null) {
                        pendingCount++;
                    }
                }
            }
            drain(commits);
            started = new ArrayList<>();
            for (Incoming in : writes) {
                CompletableFuture<Long> c = commits.get(in);
                started.add(c);
            }
        }
        for (int i = 0; i < writes.size(); i++) {
            Incoming in = writes.get(i);
            CompletableFuture<Long> c = started.get(i);
            out.add(c != null ? c.handle((v, e) -> applied.get(in.origin()))
                    : CompletableFuture.completedFuture(applied.get(in.origin())));
        }
        return out;
    }

    /** Hands every write whose turn has come to the store, in an order the apply rule allows. Holds the lock. */
    private void drain(Map<Incoming, CompletableFuture<Long>> commits) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Iterator<Map.Entry<String, TreeMap<Long, Incoming>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, TreeMap<Long, Incoming>> e = it.next();
                TreeMap<Long, Incoming> q = e.getValue();
                // Drop what was applied meanwhile (resent duplicates).
                while (!q.isEmpty() && q.firstKey() <= accepted.get(e.getKey())) {
                    q.pollFirstEntry();
                    pendingCount--;
                }
                while (!q.isEmpty() && q.firstKey() == accepted.get(e.getKey()) + 1
                        && accepted.covers(q.firstEntry().getValue().deps())) {
                    Incoming in = q.pollFirstEntry().getValue();
                    pendingCount--;
                    accepted = accepted.with(in.origin(), in.seq());
                    commits.put(in, apply(in));
                    progress = true;
                }
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    private CompletableFuture<Long> apply(Incoming in) {
        return store.applyShipped(in.record(), in.origin(), in.seq(), in.deps()).handle((res, err) -> {
            if (err != null || res == null) {
                log.warn("causal write {} of {} not applied: {}", in.seq(), in.origin(),
                        err != null ? err.getMessage() : "out of order against what is committed");
                synchronized (this) {
                    // Back to what is committed: the origin resends from there.
                    accepted = accepted.set(in.origin(), applied.get(in.origin()));
                }
                return applied.get(in.origin());
            }
            committed(in.origin(), in.seq());
            return in.seq();
        });
    }

    /**
     * After a snapshot of {@code origin}'s data was copied here: its log up to {@code seq} counts as
     * applied (the writes held back up to there are dropped), and shipping resumes after it.
     * Completes with how far this node has now applied {@code origin}'s log.
     */
    public CompletableFuture<Long> skipTo(String origin, long seq) {
        if (applied.get(origin) >= seq) {
            return CompletableFuture.completedFuture(applied.get(origin));
        }
        return store.skipTo(origin, seq).thenApply(v -> {
            committed(origin, seq);
            synchronized (this) {
                drain(new HashMap<>());
            }
            return applied.get(origin);
        });
    }

    /** Called in commit order (the store has one writer). */
    private void committed(String origin, long seq) {
        List<Waiter> ready = new ArrayList<>();
        synchronized (this) {
            applied = applied.with(origin, seq);
            accepted = accepted.with(origin, seq);
            VectorClock now = applied;
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (now.covers(w.needed())) {
                    it.remove();
                    ready.add(w);
                }
            }
            if (origin.equals(self) && pendingCount > 0) {
                // A peer's write may have waited for this one.
                drain(new HashMap<>());
            }
        }
        VectorClock now = applied;
        for (Waiter w : ready) {
            try {
                callbacks.execute(() -> w.done().complete(now));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                w.done().complete(now);
            }
        }
    }
}
