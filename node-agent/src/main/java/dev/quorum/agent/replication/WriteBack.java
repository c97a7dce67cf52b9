package dev.quorum.agent.replication;

import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.agent.store.Record;
import dev.quorum.client.wire.InternalOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The second phase of a strong read (ABD): before a value read from R replicas is returned, W
 * replicas must hold it, or a later read could see an older one. The replicas that already hold
 * it count; the newest record is sent to the other replicas of the preference list, and the read
 * may answer once enough of them acknowledged — never before.
 */
final class WriteBack {
    private final Replicas replicas;
    private final Record record;
    private final RequestTrace trace;
    private final CompletableFuture<List<String>> done = new CompletableFuture<>();

    // Guarded by this.
    private final List<String> holders;
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final int needed;
    private int open;

    WriteBack(Replicas replicas, Record record, int needed, List<String> holders, RequestTrace trace) {
        this.replicas = replicas;
        this.record = record;
        this.needed = needed;
        this.holders = new ArrayList<>(holders);
        this.trace = trace;
    }

    /** Completes with the holders once {@code needed} replicas hold the record, else with a QuorumException. */
    CompletableFuture<List<String>> start(List<String> preference) {
        List<String> targets = new ArrayList<>();
        synchronized (this) {
            if (holders.size() >= needed) {
                done.complete(List.copyOf(holders));
                return done;
            }
            for (String n : preference) {
                if (!holders.contains(n)) {
                    targets.add(n);
                }
            }
            open = targets.size();
        }
        if (targets.isEmpty()) {
            fail();
        }
        for (String node : targets) {
            long t0 = System.nanoTime();
            replicas.call(node, InternalOp.put(Wire.toWire(record), null, trace.traceId(), trace.requested()))
                    .whenComplete((res, err) -> {
                        double ms = (System.nanoTime() - t0) / 1e6;
                        trace.step(new RequestTrace.Step(node, "write-back", null, err == null ? "ok" : "failed",
                                err == null ? record.version().toString() : null, ms,
                                err == null ? null : Replicas.describe(err)));
                        answered(node, err);
                    });
        }
        return done;
    }

    private void answered(String node, Throwable err) {
        List<String> ok = null;
        boolean failed = false;
        synchronized (this) {
            open--;
            if (err == null) {
                holders.add(node);
            } else {
                failures.put(node, Replicas.describe(err));
            }
            if (!done.isDone()) {
                if (holders.size() >= needed) {
                    ok = List.copyOf(holders);
                } else if (open == 0) {
                    failed = true;
                }
            }
        }
        if (ok != null) {
            done.complete(ok);
        } else if (failed) {
            fail();
        }
    }

    private void fail() {
        done.completeExceptionally(timedOut());
    }

    synchronized QuorumException timedOut() {
        return new QuorumException("get", needed, List.copyOf(holders), failures, false);
    }
}
