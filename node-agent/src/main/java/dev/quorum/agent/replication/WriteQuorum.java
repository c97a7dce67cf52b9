package dev.quorum.agent.replication;

import dev.quorum.agent.observe.Events;
import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.agent.store.Record;
import dev.quorum.client.wire.InternalOp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One write in eventual mode: sends the record to every replica of the key's preference list and
 * completes once W distinct nodes hold it durably. A replica that is down or fails gets a
 * <em>stand-in</em> — the next healthy node beyond the preference list, which keeps the record as a
 * hint for it (sloppy quorum) — or, when no stand-in is left, a hint on this coordinator.
 *
 * <p>Every replica gets the record or a hint even after the quorum is reached: the client is
 * answered after W acks, the rest finishes in the background.
 *
 * <p>In strict mode (strong consistency) there is no sloppy quorum: only replicas of the
 * preference list count, stand-ins are never asked, and a hint the coordinator keeps for a failed
 * replica helps convergence but is not an ack.
 *
 * <p>Counting rule: an ack counts once per node. A coordinator that is itself a replica and also
 * keeps a hint for a failed one has not made the write any more durable, so a 3-node cluster with
 * two nodes down fails W=2 instead of pretending.
 */
final class WriteQuorum {
    /** Outcome of a successful write. */
    record Result(Record record, List<String> ackedBy) {}

    private final Replicas replicas;
    private final Events events;
    private final Clock wall;
    private final Record record;
    private final int needed;
    private final RequestTrace trace;
    private final String self;
    private final Iterator<String> standIns;
    private final boolean sloppy;
    private final CompletableFuture<Result> done = new CompletableFuture<>();

    // Guarded by this.
    private final Set<String> acked = new LinkedHashSet<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private int openChains;
    private boolean maybeApplied;

    WriteQuorum(Replicas replicas, Events events, Clock wall, Record record, int needed, List<String> preference,
            List<String> standInOrder, boolean sloppy, RequestTrace trace) {
        this.sloppy = sloppy;
        this.replicas = replicas;
        this.events = events;
        this.wall = wall;
        this.record = record;
        this.needed = needed;
        this.trace = trace;
        this.self = replicas.membership().selfId();
        this.standIns = new ArrayList<>(sloppy ? standInOrder : List.<String>of()).iterator();
        this.openChains = preference.size();
    }

    CompletableFuture<Result> start(List<String> preference) {
        for (String target : preference) {
            if (target.equals(self) || replicas.membership().isUp(target)) {
                direct(target);
            } else {
                Peer p = replicas.membership().peer(target);
                String why = "down (" + (p == null || p.downReason() == null ? "failure detector" : p.downReason()) + ")";
                trace.step(new RequestTrace.Step(target, "replica", null, "skipped", null, 0, why));
                failed(target, why, false);
                fallback(target);
            }
        }
        return done;
    }

    private void direct(String target) {
        long t0 = System.nanoTime();
        InternalOp op = InternalOp.put(Wire.toWire(record), null, trace.traceId(), trace.requested());
        replicas.call(target, op).whenComplete((res, err) -> {
            double ms = (System.nanoTime() - t0) / 1e6;
            observe(target, ms, err);
            if (err == null) {
                String status = Boolean.TRUE.equals(res.applied()) ? "ok" : "newer";
                trace.step(new RequestTrace.Step(target, "replica", null, status, record.version().toString(), ms, null));
                ack(target);
                chainEnded();
            } else {
                trace.step(new RequestTrace.Step(target, "replica", null, "failed", null, ms, Replicas.describe(err)));
                failed(target, Replicas.describe(err), Replicas.maybeApplied(err));
                fallback(target);
            }
        });
    }

    /** Finds someone to keep the record for {@code target}: the next healthy stand-in, else this node. */
    private void fallback(String target) {
        String standIn = nextStandIn();
        if (standIn == null) {
            if (target.equals(self)) {
                chainEnded(); // our own store failed: keeping a hint in it for ourselves would be no better
            } else {
                localHint(target);
            }
            return;
        }
        long t0 = System.nanoTime();
        InternalOp op = InternalOp.put(Wire.toWire(record), target, trace.traceId(), trace.requested());
        replicas.call(standIn, op).whenComplete((res, err) -> {
            double ms = (System.nanoTime() - t0) / 1e6;
            observe(standIn, ms, err);
            if (err == null) {
                trace.step(new RequestTrace.Step(standIn, "stand-in", target, "ok", record.version().toString(), ms, null));
                ack(standIn);
                chainEnded();
            } else {
                trace.step(new RequestTrace.Step(standIn, "stand-in", target, "failed", null, ms, Replicas.describe(err)));
                synchronized (this) {
                    maybeApplied |= Replicas.maybeApplied(err);
                }
                fallback(target);
            }
        });
    }

    private void localHint(String target) {
        long t0 = System.nanoTime();
        replicas.local().store().storeHint(target, record, wall.millis()).whenComplete((v, err) -> {
            double ms = (System.nanoTime() - t0) / 1e6;
            if (err == null) {
                events.hintStored(target, record.key(), self, trace.traceId());
                trace.step(new RequestTrace.Step(self, "local-hint", target, "ok", record.version().toString(), ms, null));
                if (sloppy) {
                    ack(self);
                }
            } else {
                trace.step(new RequestTrace.Step(self, "local-hint", target, "failed", null, ms, Replicas.describe(err)));
            }
            chainEnded();
        });
    }

    private synchronized String nextStandIn() {
        while (standIns.hasNext()) {
            String candidate = standIns.next();
            if (replicas.membership().isUp(candidate) && !candidate.equals(self)) {
                return candidate;
            }
        }
        return null;
    }

    private void observe(String node, double ms, Throwable err) {
        if (node.equals(self)) {
            return;
        }
        var m = events.metrics();
        m.replicaCallDuration.labelValues(node, "put").observe(ms / 1000);
        if (err != null) {
            m.replicaCallFailures.labelValues(node, Replicas.reason(err)).inc();
        }
    }

    private void ack(String node) {
        Result r = null;
        synchronized (this) {
            acked.add(node);
            maybeApplied = true;
            if (acked.size() >= needed && !done.isDone()) {
                r = new Result(record, List.copyOf(acked));
            }
        }
        if (r != null) {
            done.complete(r);
        }
    }

    private synchronized void failed(String node, String reason, boolean mayHaveApplied) {
        failures.put(node, reason);
        maybeApplied |= mayHaveApplied;
    }

    private void chainEnded() {
        QuorumException q = null;
        synchronized (this) {
            openChains--;
            if (openChains == 0 && !done.isDone()) {
                q = new QuorumException(record.tombstone() ? "delete" : "put", needed, List.copyOf(acked),
                        failures, maybeApplied);
            }
        }
        if (q != null) {
            done.completeExceptionally(q);
        }
    }

    /** A snapshot for a 503 sent because the request timed out before the chains ended. */
    synchronized QuorumException timedOut() {
        Map<String, String> f = new LinkedHashMap<>(failures);
        return new QuorumException(record.tombstone() ? "delete" : "put", needed, List.copyOf(acked), f, true);
    }
}
