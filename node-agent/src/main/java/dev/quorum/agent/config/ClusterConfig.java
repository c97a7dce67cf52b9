package dev.quorum.agent.config;

import dev.quorum.agent.consistency.Consistency;
import java.util.ArrayList;
import java.util.List;

/**
 * The live, cluster-wide settings: replication factor and quorums, model, timeouts and the periods
 * of background work. Immutable; a change produces a new value with a higher {@code version}
 * (a hybrid clock reading), and agents converge on the highest version they have seen.
 */
public record ClusterConfig(
        int n,
        int r,
        int w,
        Consistency consistency,
        long replicaTimeoutMs,
        long requestTimeoutMs,
        long hintIntervalMs,
        long antiEntropyIntervalMs,
        long tombstoneGraceMs,
        int maxValueBytes,
        boolean readRepair,
        long version,
        Topology topology,
        String primary) {

    public ClusterConfig {
        if (topology == null) {
            topology = Topology.LEADERLESS; // configurations persisted before topologies existed
        }
    }

    /** A leaderless configuration (the shape before topologies existed). */
    public ClusterConfig(int n, int r, int w, Consistency consistency, long replicaTimeoutMs, long requestTimeoutMs,
            long hintIntervalMs, long antiEntropyIntervalMs, long tombstoneGraceMs, int maxValueBytes,
            boolean readRepair, long version) {
        this(n, r, w, consistency, replicaTimeoutMs, requestTimeoutMs, hintIntervalMs, antiEntropyIntervalMs,
                tombstoneGraceMs, maxValueBytes, readRepair, version, Topology.LEADERLESS, null);
    }

    /** Whether {@code node} is the primary of a primary-replica cluster. */
    public boolean isPrimary(String node) {
        return topology == Topology.PRIMARY_REPLICA && node.equals(primary);
    }

    public static final long DEFAULT_REPLICA_TIMEOUT_MS = 1_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
    public static final long DEFAULT_HINT_INTERVAL_MS = 1_000;
    public static final long DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 10_000;
    public static final long DEFAULT_TOMBSTONE_GRACE_MS = 3_600_000;
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
    /** Values are capped well below what a batch or SQLite row could hold. */
    public static final int MAX_VALUE_BYTES_LIMIT = 64 << 20;

    public static ClusterConfig defaults(int clusterSize) {
        int n = Math.min(3, clusterSize);
        // Strong by default: majorities always overlap (R + W > N), and the checker holds it linearizable.
        return new ClusterConfig(n, n / 2 + 1, n / 2 + 1, Consistency.STRONG,
                DEFAULT_REPLICA_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_HINT_INTERVAL_MS,
                DEFAULT_ANTI_ENTROPY_INTERVAL_MS, DEFAULT_TOMBSTONE_GRACE_MS, DEFAULT_MAX_VALUE_BYTES, true, 0);
    }

    /**
     * Every reason this configuration cannot run on a cluster of the given size; empty when valid.
     * Messages are written for the operator who typed the value.
     */
    public List<String> problems(int clusterSize) {
        List<String> out = new ArrayList<>();
        if (n < 1 || n > clusterSize) {
            out.add("n must be between 1 and the cluster size " + clusterSize + ", got " + n);
        }
        if (r < 1 || r > n) {
            out.add("r must be between 1 and n (" + n + "), got " + r);
        }
        if (w < 1 || w > n) {
            out.add("w must be between 1 and n (" + n + "), got " + w);
        }
        if (consistency == null) {
            out.add("consistency is required");
        } else if (consistency == Consistency.CAUSAL && n != clusterSize) {
            out.add("causal consistency keeps every key on every node: n must equal the cluster size " + clusterSize
                    + ", got " + n);
        } else if (consistency == Consistency.STRONG && r + w <= n) {
            out.add("strong consistency needs r + w > n, got r=" + r + " w=" + w + " n=" + n);
        }
        positive(out, "replica_timeout_ms", replicaTimeoutMs, 60_000);
        positive(out, "request_timeout_ms", requestTimeoutMs, 600_000);
        positive(out, "hint_interval_ms", hintIntervalMs, 3_600_000);
        positive(out, "anti_entropy_interval_ms", antiEntropyIntervalMs, 86_400_000);
        positive(out, "tombstone_grace_ms", tombstoneGraceMs, 365L * 86_400_000);
        positive(out, "max_value_bytes", maxValueBytes, MAX_VALUE_BYTES_LIMIT);
        if (topology == Topology.PRIMARY_REPLICA) {
            if (primary == null || primary.isBlank()) {
                out.add("topology primary-replica needs a primary (a node id)");
            }
            if (n != clusterSize) {
                out.add("topology primary-replica keeps every key on every node: n must equal the cluster size "
                        + clusterSize + ", got " + n);
            }
        }
        if (requestTimeoutMs < replicaTimeoutMs) {
            out.add("request_timeout_ms (" + requestTimeoutMs + ") must be >= replica_timeout_ms ("
                    + replicaTimeoutMs + ")");
        }
        return out;
    }

    /** {@link #problems(int)}, and a primary that must be one of {@code members}. */
    public List<String> problems(java.util.Collection<String> members) {
        List<String> out = problems(members.size());
        if (topology == Topology.PRIMARY_REPLICA && primary != null && !members.contains(primary)) {
            out.add("primary '" + primary + "' is not a member of this cluster " + members);
        }
        return out;
    }

    private static void positive(List<String> out, String name, long value, long max) {
        if (value < 1 || value > max) {
            out.add(name + " must be between 1 and " + max + ", got " + value);
        }
    }

    public ClusterConfig withVersion(long newVersion) {
        return new ClusterConfig(n, r, w, consistency, replicaTimeoutMs, requestTimeoutMs, hintIntervalMs,
                antiEntropyIntervalMs, tombstoneGraceMs, maxValueBytes, readRepair, newVersion, topology, primary);
    }

    /** Applies the fields present in a patch (nulls mean "unchanged"). */
    public ClusterConfig apply(ConfigPatch p) {
        return new ClusterConfig(
                p.n() != null ? p.n() : n,
                p.r() != null ? p.r() : r,
                p.w() != null ? p.w() : w,
                p.consistency() != null ? Consistency.parse(p.consistency()) : consistency,
                p.replicaTimeoutMs() != null ? p.replicaTimeoutMs() : replicaTimeoutMs,
                p.requestTimeoutMs() != null ? p.requestTimeoutMs() : requestTimeoutMs,
                p.hintIntervalMs() != null ? p.hintIntervalMs() : hintIntervalMs,
                p.antiEntropyIntervalMs() != null ? p.antiEntropyIntervalMs() : antiEntropyIntervalMs,
                p.tombstoneGraceMs() != null ? p.tombstoneGraceMs() : tombstoneGraceMs,
                p.maxValueBytes() != null ? p.maxValueBytes() : maxValueBytes,
                p.readRepair() != null ? p.readRepair() : readRepair,
                version,
                p.topology() != null ? Topology.parse(p.topology()) : topology,
                p.primary() != null ? p.primary() : primary);
    }
}
