package dev.quorum.agent.replication;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.observe.Events;
import dev.quorum.agent.store.Keys;
import dev.quorum.agent.store.Record;
import dev.quorum.agent.store.RowDigest;
import dev.quorum.agent.store.SqliteStore;
import dev.quorum.agent.store.StoreException;
import dev.quorum.client.wire.InternalOp;
import dev.quorum.client.wire.InternalResult;
import dev.quorum.client.wire.WireDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * This node acting as a replica: executes the operations of {@code /internal/batch} (and the
 * coordinator's calls to itself) against the local store.
 */
public final class LocalReplica {
    public static final int MAX_LIST = 10_000;
    public static final int MAX_RANGES = 4_096;
    /** How far ahead of this node's wall clock a replicated version may be. */
    public static final long MAX_CLOCK_AHEAD_MS = 60_000;

    private final String selfId;
    private final SqliteStore store;
    private final HybridClock clock;
    private final Events events;
    private final Supplier<ClusterConfig> config;
    private final Clock wall;
    private final java.util.function.Predicate<String> isMember;

    public LocalReplica(String selfId, SqliteStore store, HybridClock clock, Events events,
            Supplier<ClusterConfig> config, Clock wall, java.util.function.Predicate<String> isMember) {
        this.selfId = selfId;
        this.store = store;
        this.clock = clock;
        this.events = events;
        this.config = config;
        this.wall = wall;
        this.isMember = isMember;
    }

    public SqliteStore store() {
        return store;
    }

    /**
     * Checks an op from the network before anything runs.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public void validate(InternalOp op) {
        if (op == null || op.op() == null) {
            throw new IllegalArgumentException("op is missing");
        }
        switch (op.op()) {
            case "put" -> {
                Record rec = Wire.fromWire(op.record(), config.get().maxValueBytes());
                long aheadMs = rec.version().physicalMillis() - wall.millis();
                if (aheadMs > MAX_CLOCK_AHEAD_MS) {
                    // A version from the far future would win every later last-writer-wins comparison.
                    throw new IllegalArgumentException("record version " + rec.version() + " is " + aheadMs
                            + " ms ahead of this node's clock (limit " + MAX_CLOCK_AHEAD_MS
                            + " ms): check the clocks of " + rec.version().node() + " and " + selfId);
                }
                if (op.hintFor() != null) {
                    NodeIds.problem(op.hintFor()).ifPresent(p -> {
                        throw new IllegalArgumentException("hint_for: " + p);
                    });
                    if (!isMember.test(op.hintFor())) {
                        throw new IllegalArgumentException("hint_for '" + op.hintFor() + "' is not a member of this cluster");
                    }
                }
            }
            case "get" -> Keys.problem(op.key()).ifPresent(p -> {
                throw new IllegalArgumentException(p);
            });
            case "list" -> {
                if (op.prefix() == null) {
                    throw new IllegalArgumentException("list needs a prefix (may be empty)");
                }
                checkLimit(op.limit());
            }
            case "digest" -> {
                if (op.ranges() == null || op.ranges().isEmpty() || op.ranges().size() > MAX_RANGES) {
                    throw new IllegalArgumentException("digest needs 1 to " + MAX_RANGES + " ranges");
                }
                for (long[] r : op.ranges()) {
                    if (r == null || r.length != 2 || r[0] > r[1]) {
                        throw new IllegalArgumentException("each range must be [lo, hi] with lo <= hi");
                    }
                }
            }
            case "entries" -> {
                if (op.lo() == null || op.hi() == null || op.lo() > op.hi()) {
                    throw new IllegalArgumentException("entries needs lo <= hi");
                }
                checkLimit(op.limit());
            }
            default -> throw new IllegalArgumentException("unknown op '" + op.op() + "'");
        }
    }

    private static void checkLimit(Integer limit) {
        if (limit == null || limit < 1 || limit > MAX_LIST) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIST);
        }
    }

    /** Runs a validated op. Store failures become an error result, not an exception. */
    public CompletableFuture<InternalResult> execute(InternalOp op) {
        try {
            return switch (op.op()) {
                case "put" -> put(op);
                case "get" -> CompletableFuture.completedFuture(InternalResult.record(
                        store.get(op.key()).map(Wire::toWire).orElse(null)));
                case "list" -> CompletableFuture.completedFuture(InternalResult.entries(
                        store.list(op.prefix(), op.after(), op.limit()).stream().map(Wire::toWire).toList()));
                case "digest" -> CompletableFuture.completedFuture(digests(op.ranges()));
                case "entries" -> CompletableFuture.completedFuture(InternalResult.entries(
                        store.entries(op.lo(), op.hi(), op.limit()).stream().map(Wire::toWire).toList()));
                default -> CompletableFuture.completedFuture(InternalResult.error("unknown op " + op.op()));
            };
        } catch (StoreException e) {
            return CompletableFuture.completedFuture(InternalResult.error(e.getMessage()));
        }
    }

    private CompletableFuture<InternalResult> put(InternalOp op) {
        Record rec = Wire.fromWire(op.record(), config.get().maxValueBytes());
        clock.observe(rec.version().hlc());
        if (op.hintFor() != null && !op.hintFor().equals(selfId)) {
            return store.storeHint(op.hintFor(), rec, wall.millis())
                    .thenApply(v -> {
                        events.hintStored(op.hintFor(), rec.key(), selfId, op.traceId());
                        return InternalResult.applied(true, rec.version().hlc(), rec.version().node());
                    })
                    .exceptionally(LocalReplica::storeError);
        }
        return store.apply(rec)
                .thenApply(r -> InternalResult.applied(r.applied(), r.current().hlc(), r.current().node()))
                .exceptionally(LocalReplica::storeError);
    }

    private static InternalResult storeError(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return InternalResult.error(c.getMessage() == null ? c.toString() : c.getMessage());
    }

    private InternalResult digests(List<long[]> ranges) {
        List<WireDigest> out = new ArrayList<>(ranges.size());
        for (long[] r : ranges) {
            RowDigest d = store.digest(r[0], r[1]);
            out.add(new WireDigest(r[0], r[1], d.value(), d.count()));
        }
        return InternalResult.digests(out);
    }
}
