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
        Boolean readRepair) {

    public static ConfigPatch empty() {
        return new ConfigPatch(null, null, null, null, null, null, null, null, null, null, null);
    }
}
