package dev.quorum.agent.causal;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.VectorClock;
import dev.quorum.agent.replication.LocalReplica;
import dev.quorum.agent.replication.Wire;
import dev.quorum.agent.store.CausalStore;
import dev.quorum.agent.store.Keys;
import dev.quorum.agent.store.Record;
import dev.quorum.client.wire.InternalOp;
import dev.quorum.client.wire.InternalResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The replica side of the causal internal ops: {@code causal} (a shipped write) and {@code causal_read}. */
public final class CausalOps {
    private final CausalReplica replica;
    private final CausalStore store;
    private final Supplier<ClusterConfig> config;
    private final Predicate<String> isMember;
    private final Clock wall;

    public CausalOps(CausalReplica replica, CausalStore store, Supplier<ClusterConfig> config,
            Predicate<String> isMember, Clock wall) {
        this.replica = replica;
        this.store = store;
        this.config = config;
        this.isMember = isMember;
        this.wall = wall;
    }

    public static boolean handles(InternalOp op) {
        return op != null && ("causal".equals(op.op()) || "causal_read".equals(op.op())
                || "causal_skip".equals(op.op()));
    }

    /**
     * Checks a causal op from the network before anything runs.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public void validate(InternalOp op) {
        VectorClock deps = deps(op);
        if (op.op().equals("causal_skip")) {
            if (op.origin() == null || !isMember.test(op.origin()) || op.origin().equals(replica.self())) {
                throw new IllegalArgumentException("origin '" + op.origin() + "' is not another member of this cluster");
            }
            if (op.seq() == null || op.seq() < 0) {
                throw new IllegalArgumentException("seq must not be negative");
            }
            return;
        }
        if (op.op().equals("causal_read")) {
            Keys.problem(op.key()).ifPresent(p -> {
                throw new IllegalArgumentException(p);
            });
            return;
        }
        Record rec = Wire.fromWire(op.record(), config.get().maxValueBytes());
        long aheadMs = rec.version().physicalMillis() - wall.millis();
        if (aheadMs > LocalReplica.MAX_CLOCK_AHEAD_MS) {
            throw new IllegalArgumentException("record version " + rec.version() + " is " + aheadMs
                    + " ms ahead of this node's clock");
        }
        if (op.origin() == null || !isMember.test(op.origin()) || op.origin().equals(replica.self())) {
            throw new IllegalArgumentException("origin '" + op.origin() + "' is not another member of this cluster");
        }
        if (op.seq() == null || op.seq() < 1) {
            throw new IllegalArgumentException("seq must be a positive number");
        }
        if (deps.get(op.origin()) >= op.seq()) {
            throw new IllegalArgumentException("a write cannot depend on itself or a later write of its origin");
        }
    }

    private VectorClock deps(InternalOp op) {
        VectorClock deps = VectorClock.of(op.deps());
        for (String origin : deps.toMap().keySet()) {
            if (!isMember.test(origin)) {
                throw new IllegalArgumentException("deps name '" + origin + "', not a member of this cluster");
            }
        }
        return deps;
    }

    /**
     * Runs validated causal ops of one batch; one result per op, in order. Writes are taken at once
     * (they only queue); reads run on {@code reads}.
     */
    public List<CompletableFuture<InternalResult>> execute(List<InternalOp> ops, java.util.concurrent.Executor reads) {
        List<CausalReplica.Incoming> writes = new ArrayList<>();
        for (InternalOp op : ops) {
            if (op.op().equals("causal")) {
                writes.add(new CausalReplica.Incoming(op.origin(), op.seq(), VectorClock.of(op.deps()),
                        Wire.fromWire(op.record(), config.get().maxValueBytes())));
            }
        }
        List<CompletableFuture<Long>> acks = writes.isEmpty() ? List.of() : replica.receive(writes);
        List<CompletableFuture<InternalResult>> out = new ArrayList<>(ops.size());
        int w = 0;
        for (InternalOp op : ops) {
            if (op.op().equals("causal")) {
                out.add(acks.get(w++).thenApply(InternalResult::causalAck));
            } else if (op.op().equals("causal_skip")) {
                out.add(replica.skipTo(op.origin(), op.seq()).thenApply(InternalResult::causalAck));
            } else {
                CompletableFuture<InternalResult> r;
                try {
                    r = CompletableFuture.supplyAsync(() -> read(op), reads);
                } catch (java.util.concurrent.RejectedExecutionException full) {
                    r = CompletableFuture.completedFuture(InternalResult.error("overloaded: too many reads queued"));
                }
                out.add(r);
            }
        }
        return out;
    }

    /** A read for a coordinator whose own replica lags the session: answered only if this one does not. */
    private InternalResult read(InternalOp op) {
        VectorClock needed = VectorClock.of(op.deps());
        VectorClock have = replica.applied();
        if (!have.covers(needed)) {
            return InternalResult.error("behind: applied " + have + ", session needs " + needed);
        }
        Optional<Record> rec = store.store().get(op.key());
        Optional<CausalStore.Stamp> stamp = store.stamp(op.key());
        return InternalResult.causalRecord(rec.map(Wire::toWire).orElse(null),
                stamp.map(CausalStore.Stamp::origin).orElse(null), stamp.map(CausalStore.Stamp::seq).orElse(null));
    }
}
