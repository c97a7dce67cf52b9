package dev.quorum.agent.config;

/**
 * A partial change to {@link ClusterConfig} as an operator sends it ({@code PUT /admin/config}):
 * every field optional, names in snake_case on the wire.
 */
public record ConfigPatch(
        Integer n,
        Integer r,
        Integer w,
        String consistency,
        Long replicaTimeoutMs,
        Long requestTimeoutMs,
        Long hintIntervalMs,
        Long antiEntropyIntervalMs,
        Long tombstoneGraceMs,
        Integer maxValueBytes,
        Boolean readRepair,
        String topology,
        String primary) {

    /** A patch of the fields that existed before topologies. */
    public ConfigPatch(Integer n, Integer r, Integer w, String consistency, Long replicaTimeoutMs,
            Long requestTimeoutMs, Long hintIntervalMs, Long antiEntropyIntervalMs, Long tombstoneGraceMs,
            Integer maxValueBytes, Boolean readRepair) {
        this(n, r, w, consistency, replicaTimeoutMs, requestTimeoutMs, hintIntervalMs, antiEntropyIntervalMs,
                tombstoneGraceMs, maxValueBytes, readRepair, null, null);
    }

    public static ConfigPatch empty() {
        return new ConfigPatch(null, null, null, null, null, null, null, null, null, null, null);
    }
}
