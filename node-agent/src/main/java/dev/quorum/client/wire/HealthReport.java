package dev.quorum.client.wire;

/**
 * {@code GET /health}: {@code live} means the process answers; {@code ready} that it serves data
 * (store open, not shutting down). {@code config_version} lets peers notice a newer live config.
 */
public record HealthReport(
        String status, boolean live, boolean ready, String id, String role, long configVersion, long uptimeMs) {}
