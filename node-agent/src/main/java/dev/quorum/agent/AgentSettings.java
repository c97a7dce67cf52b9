package dev.quorum.agent;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.config.Topology;
import dev.quorum.agent.consistency.Consistency;
import java.nio.file.Path;

/**
 * Everything an agent process is started with (its command-line flags, see docs/api.md).
 * Quorum settings given here are the initial cluster configuration; {@code null} means "default".
 */
public record AgentSettings(
        String id,
        String bind,
        int port,
        Path dataDir,
        String peers,
        Integer n,
        Integer r,
        Integer w,
        String consistency,
        String token,
        long probeIntervalMs,
        long replicaTimeoutMs,
        long requestTimeoutMs,
        long hintIntervalMs,
        long antiEntropyIntervalMs,
        long tombstoneGraceMs,
        int maxValueBytes,
        int httpThreads,
        int drainSeconds,
        long requestReadTimeoutMs,
        boolean enableFaults,
        String topology,
        String primary) {

    /** The configuration the flags describe, defaults filled in for a cluster of {@code size} nodes. */
    public ClusterConfig initialConfig(int size) {
        ClusterConfig d = ClusterConfig.defaults(size);
        int nn = n != null ? n : d.n();
        int majority = nn / 2 + 1;
        return new ClusterConfig(
                nn,
                r != null ? r : majority,
                w != null ? w : majority,
                consistency != null ? Consistency.parse(consistency) : d.consistency(),
                replicaTimeoutMs,
                requestTimeoutMs,
                hintIntervalMs,
                antiEntropyIntervalMs,
                tombstoneGraceMs,
                maxValueBytes,
                true,
                0,
                topology != null ? Topology.parse(topology) : Topology.LEADERLESS,
                primary != null ? primary
                        : topology != null && Topology.parse(topology) == Topology.PRIMARY_REPLICA ? firstPeer() : null);
    }

    /** The first member named in {@code --peers}: the default primary. */
    private String firstPeer() {
        String first = peers.split(",")[0].trim();
        int eq = first.indexOf('=');
        return eq > 0 ? first.substring(0, eq) : null;
    }
}
