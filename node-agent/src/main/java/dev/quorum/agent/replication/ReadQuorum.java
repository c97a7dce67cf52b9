package dev.quorum.agent.replication;

import dev.quorum.agent.observe.Events;
import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.agent.store.Record;
import dev.quorum.client.wire.InternalOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One read in eventual mode: asks R replicas of the key (this node first when it is one, then the
 * healthy ones in preference order, the suspected-down last), replacing each that fails with the
 * next candidate, and answers with the newest version among R answers. Replicas that answered with
 * an older version (or nothing) are then sent the newest one: read repair.
 */
final class ReadQuorum {
    /** The newest record among the answers (empty when none has the key) and who answered. */
    record Result(Optional<Record> newest, Map<String, Optional<Record>> answers) {}

    private final Replicas replicas;
    private final Events events;
    private final String key;
    private final int needed;
    private final List<String> candidates;
    private final RequestTrace trace;
    private final String role;
    private final CompletableFuture<Result> done = new CompletableFuture<>();

    // Guarded by this.
    private final Map<String, Optional<Record>> answers = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private int next;
    private int inFlight;

    /** @param role how the trace names this read's steps: "replica", or "version-read" in a strong write */
    ReadQuorum(Replicas replicas, Events events, String key, int needed, List<String> candidates, RequestTrace trace,
            String role) {
        this.role = role;
        this.replicas = replicas;
        this.events = events;
        this.key = key;
        this.needed = needed;
        this.candidates = candidates;
        this.trace = trace;
    }

    CompletableFuture<Result> start() {
        List<String> first = new ArrayList<>();
        synchronized (this) {
            while (next < candidates.size() && inFlight < needed) {
                first.add(candidates.get(next++));
                inFlight++;
            }
        }
        if (first.isEmpty()) {
            done.completeExceptionally(new QuorumException("get", needed, List.of(), Map.of(), false));
        }
        first.forEach(this::ask);
        return done;
    }

    private void ask(String node) {
        long t0 = System.nanoTime();
        replicas.call(node, InternalOp.get(key, trace.traceId(), trace.requested())).whenComplete((res, err) -> {
            double ms = (System.nanoTime() - t0) / 1e6;
            if (!node.equals(replicas.membership().selfId())) {
                events.metrics().replicaCallDuration.labelValues(node, "get").observe(ms / 1000);
                if (err != null) {
                    events.metrics().replicaCallFailures.labelValues(node, Replicas.reason(err)).inc();
                }
            }
            if (err == null) {
                Optional<Record> rec;
                try {
                    rec = Optional.ofNullable(res.record()).map(w -> Wire.fromWire(w, Integer.MAX_VALUE));
                } catch (IllegalArgumentException bad) {
                    trace.step(new RequestTrace.Step(node, role, null, "failed", null, ms, "bad answer: " + bad.getMessage()));
                    onFailure(node, "bad answer: " + bad.getMessage());
                    return;
                }
                trace.step(new RequestTrace.Step(node, role, null, rec.isPresent() ? "ok" : "absent",
                        rec.map(r -> r.version().toString()).orElse(null), ms, null));
                onAnswer(node, rec);
            } else {
                trace.step(new RequestTrace.Step(node, role, null, "failed", null, ms, Replicas.describe(err)));
                onFailure(node, Replicas.describe(err));
            }
        });
    }

    private void onAnswer(String node, Optional<Record> rec) {
        Result r = null;
        QuorumException fail = null;
        synchronized (this) {
            inFlight--;
            answers.put(node, rec);
            if (answers.size() >= needed && !done.isDone()) {
                r = new Result(newest(answers), new LinkedHashMap<>(answers));
            } else if (inFlight == 0 && next >= candidates.size() && !done.isDone()) {
                // Every candidate has answered or failed and R was not reached: say so now, not at the timeout.
                fail = new QuorumException("get", needed, List.copyOf(answers.keySet()), failures, false);
            }
        }
        if (r != null) {
            done.complete(r);
        } else if (fail != null) {
            done.completeExceptionally(fail);
        }
    }

    private void onFailure(String node, String reason) {
        String retry = null;
        QuorumException fail = null;
        synchronized (this) {
            inFlight--;
            failures.put(node, reason);
            if (done.isDone()) {
                return;
            }
            if (next < candidates.size()) {
                retry = candidates.get(next++);
                inFlight++;
            } else if (inFlight == 0) {
                fail = new QuorumException("get", needed, List.copyOf(answers.keySet()), failures, false);
            }
        }
        if (retry != null) {
            ask(retry);
        } else if (fail != null) {
            done.completeExceptionally(fail);
        }
    }

    static Optional<Record> newest(Map<String, Optional<Record>> answers) {
        Record best = null;
        for (Optional<Record> o : answers.values()) {
            if (o.isPresent() && (best == null || o.get().version().isNewerThan(best.version()))) {
                best = o.get();
            }
        }
        return Optional.ofNullable(best);
    }

    synchronized QuorumException timedOut() {
        return new QuorumException("get", needed, List.copyOf(answers.keySet()), failures, false);
    }
}
