package dev.quorum.export;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to export: the backends, the strategy, the loopback port the proxy listens on, and the largest
 * request body it lets through (the agents' {@code max_value_bytes}).
 */
public record ExportSpec(List<Backend> backends, Strategy strategy, int listenPort, long maxBodyBytes) {
    /** The agents' default {@code max_value_bytes}: 1 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** The largest {@code max_value_bytes} an agent accepts: 64 MiB. */
    public static final long MAX_BODY_BYTES_LIMIT = 64L * 1024 * 1024;
    /** The port {@code quorum export} listens on unless told otherwise. */
    public static final int DEFAULT_LISTEN_PORT = 7100;

    public ExportSpec {
        Objects.requireNonNull(strategy, "strategy");
        if (backends == null || backends.isEmpty()) {
            throw new IllegalArgumentException("no backends: give at least one node URL");
        }
        backends = List.copyOf(backends);
        Set<String> ids = new HashSet<>();
        for (Backend b : backends) {
            if (!ids.add(b.id())) {
                throw new IllegalArgumentException("duplicate node id '" + b.id() + "'");
            }
        }
        if (backends.stream().allMatch(b -> b.backup() || b.drain())) {
            throw new IllegalArgumentException("every node is backup or drain: at least one must take traffic");
        }
        if (listenPort < 1 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port " + listenPort + " is out of range 1..65535");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES_LIMIT) {
            throw new IllegalArgumentException("max body bytes " + maxBodyBytes + " is out of range 1.."
                    + MAX_BODY_BYTES_LIMIT);
        }
    }

    /** With the agents' default 1 MiB value limit. */
    public static ExportSpec of(List<Backend> backends, Strategy strategy, int listenPort) {
        return new ExportSpec(backends, strategy, listenPort, DEFAULT_MAX_BODY_BYTES);
    }

    /** The ids, in order: {@code n1, n2, n3}. */
    public List<String> ids() {
        return backends.stream().map(Backend::id).toList();
    }
}
