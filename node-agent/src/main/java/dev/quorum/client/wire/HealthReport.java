package dev.quorum.client.wire;

/**
 * {@code GET /health}: {@code live} means the process answers; {@code ready} that it serves data
 * (store open, not shutting down). {@code config_version} lets peers notice a newer live config.
 * {@code topology}, {@code primary} and {@code position} (how far this node has applied the
 * primary's log) let a balancer split reads and writes in the primary-replica topology.
 */
public record HealthReport(
        String status, boolean live, boolean ready, String id, String role, long configVersion, long uptimeMs,
        String topology, String primary, Long position) {}
