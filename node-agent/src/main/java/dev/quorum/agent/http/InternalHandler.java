package dev.quorum.agent.http;

import dev.quorum.agent.causal.CausalOps;
import dev.quorum.agent.config.ConfigSync;
import dev.quorum.agent.config.LiveConfig;
import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.replication.LocalReplica;
import dev.quorum.agent.replication.Membership;
import dev.quorum.client.wire.InternalBatch;
import dev.quorum.client.wire.InternalBatchResult;
import dev.quorum.client.wire.InternalOp;
import dev.quorum.client.wire.InternalResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica-to-replica endpoints: {@code POST /internal/batch} and {@code GET|POST /internal/config}.
 * A batch is validated whole before any op runs: a malformed payload changes nothing.
 */
public final class InternalHandler {
    private static final Logger log = LoggerFactory.getLogger("quorum.internal");
    /** A batch holds up to 4 MiB of ops plus one oversized value; base64 and JSON add a third. */
    public static final long MAX_BATCH_BYTES = 96L << 20;
    static final int MAX_OPS = 10_000;

    private final LocalReplica replica;
    private final Membership membership;
    private final HybridClock clock;
    private final LiveConfig config;
    private final java.util.concurrent.Executor scans;
    private final CausalOps causal;

    /**
     * @param scans runs the ops that scan ranges (digest, entries, list) and causal reads: not on an event loop
     */
    public InternalHandler(LocalReplica replica, CausalOps causal, Membership membership, HybridClock clock,
            LiveConfig config, java.util.concurrent.Executor scans) {
        this.replica = replica;
        this.causal = causal;
        this.membership = membership;
        this.clock = clock;
        this.config = config;
        this.scans = scans;
    }

    public void batch(Call call) throws Exception {
        call.op("internal.batch");
        if (!"POST".equals(call.method())) {
            throw new ApiException(405, "method_not_allowed", "use POST for /internal/batch").header("Allow", "POST");
        }
        call.allowOnly(Set.of());
        InternalBatch batch = call.json(MAX_BATCH_BYTES, InternalBatch.class);
        if (batch.from() == null || (membership.peer(batch.from()) == null && !batch.from().equals(membership.selfId()))) {
            throw ApiException.badRequest("bad_batch", "sender '" + batch.from() + "' is not a member of this cluster");
        }
        if (batch.ops() == null || batch.ops().isEmpty() || batch.ops().size() > MAX_OPS) {
            throw ApiException.badRequest("bad_batch", "a batch holds 1 to " + MAX_OPS + " ops");
        }
        for (int i = 0; i < batch.ops().size(); i++) {
            try {
                InternalOp op = batch.ops().get(i);
                if (CausalOps.handles(op)) {
                    causal.validate(op);
                } else {
                    replica.validate(op);
                }
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "bad_batch", "op " + i + ": " + e.getMessage(), Map.of("op_index", i));
            }
        }
        clock.observe(batch.hlc());
        if (batch.ops().stream().anyMatch(CausalOps::handles)) {
            causalBatch(call, batch);
            return;
        }
        List<CompletableFuture<InternalResult>> results = new ArrayList<>(batch.ops().size());
        for (InternalOp op : batch.ops()) {
            if (Boolean.TRUE.equals(op.trace())) {
                log.atInfo().addKeyValue("event", "replica_op").addKeyValue("op", op.op())
                        .addKeyValue("key", op.key() != null ? op.key() : op.record() != null ? op.record().key() : null)
                        .addKeyValue("from", batch.from()).addKeyValue("trace_id", op.traceId())
                        .addKeyValue("hint_for", op.hintFor())
                        .log("replica {} for {}", op.op(), batch.from());
            }
            // put and get are quick (a queued write, a point read); range scans go to the blocking pool.
            results.add(op.op().equals("put") || op.op().equals("get") ? replica.execute(op) : scan(op));
        }
        answer(call, results);
    }

    /** Answers once every op is done (puts wait for their group commit) without holding a thread. */
    private void answer(Call call, List<CompletableFuture<InternalResult>> results) {
        call.answerLater(CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)), done -> {
            List<InternalResult> out = new ArrayList<>(results.size());
            for (CompletableFuture<InternalResult> f : results) {
                out.add(f.join());
            }
            call.sendJson(200, new InternalBatchResult(membership.selfId(), clock.now(), out));
        });
    }

    /**
     * A batch carrying causal ops: the shipped writes go to the causal replica together, in batch order
     * (which matters to it); causal reads and any other ops run on the scans pool, off the event loop.
     */
    private void causalBatch(Call call, InternalBatch batch) {
        List<InternalOp> ops = batch.ops();
        List<CompletableFuture<InternalResult>> causalResults =
                causal.execute(ops.stream().filter(CausalOps::handles).toList(), scans);
        List<CompletableFuture<InternalResult>> results = new ArrayList<>(ops.size());
        int c = 0;
        for (InternalOp op : ops) {
            results.add(CausalOps.handles(op) ? causalResults.get(c++) : scan(op));
        }
        answer(call, results);
    }

    /** Runs a range-scan op on the scans pool; a full pool fails that op alone, not the batch. */
    private CompletableFuture<InternalResult> scan(InternalOp op) {
        try {
            return CompletableFuture.supplyAsync(() -> replica.execute(op), scans).thenCompose(f -> f);
        } catch (java.util.concurrent.RejectedExecutionException full) {
            return CompletableFuture.completedFuture(
                    InternalResult.error("overloaded: too many range scans queued on " + membership.selfId()));
        }
    }

    public void config(Call call) {
        call.op("internal.config");
        call.allowOnly(Set.of());
        switch (call.method()) {
            case "GET" -> call.sendJson(200, config.get());
            case "POST" -> {
                ClusterConfig remote = call.json(64 * 1024, ClusterConfig.class);
                List<String> problems = config.problems(remote);
                if (!problems.isEmpty()) {
                    throw ApiException.badRequest("bad_config", String.join("; ", problems));
                }
                boolean adopted = config.adopt(remote, "push");
                call.sendJson(200, new ConfigSync.Adoption(adopted, config.get().version()));
            }
            default -> throw new ApiException(405, "method_not_allowed", "use GET or POST for /internal/config")
                    .header("Allow", "GET, POST");
        }
    }
}
