package dev.quorum.export;

import java.time.Instant;
import java.util.List;

/**
 * A complete HAProxy configuration (HAProxy 2.2 or newer) proxying 127.0.0.1:PORT to the backends.
 * It writes no files (no pidfile, chroot or user; logs go to stderr), so it runs unprivileged from
 * anywhere: {@code haproxy -f FILE -db}.
 *
 * <p>Retries: a request whose connection to a node failed was never sent, so every method is retried
 * on another node ({@code retry-on conn-failure}, {@code option redispatch 1}). GET and HEAD are also
 * retried on an empty answer, a timeout or a 502/503/504; {@code http-request disable-l7-retry} keeps
 * PUT, DELETE and every other method from those retries, which could replay a write a node had applied.
 */
public final class HaproxyConfig {
    static final String CHECK = "check inter 1s fall 3 rise 2";

    private HaproxyConfig() {}

    /** The file's text. */
    public static String render(ExportSpec spec, Instant generatedAt) {
        StringBuilder sb = new StringBuilder(ConfigHeader.render("haproxy", spec, generatedAt));
        sb.append("# Run: haproxy -f THIS_FILE -db   (foreground; Ctrl-C stops it)\n");
        sb.append("# Check: haproxy -c -f THIS_FILE\n\n");

        sb.append("global\n");
        sb.append("    # No chroot, user or pidfile: it writes no files and runs unprivileged from any directory.\n");
        sb.append("    log stderr format raw local0 notice\n");
        sb.append("    maxconn 1024\n\n");

        sb.append("defaults\n");
        sb.append("    mode http\n");
        sb.append("    log global\n");
        sb.append("    option dontlognull\n");
        sb.append("    option forwardfor\n");
        sb.append("    option http-keep-alive\n");
        sb.append("    timeout connect 2s\n");
        sb.append("    timeout client 30s\n");
        sb.append("    timeout server 30s\n");
        sb.append("    timeout http-request 10s\n");
        sb.append("    timeout http-keep-alive 10s\n");
        sb.append("    timeout queue 10s\n");
        sb.append("    timeout check 2s\n\n");

        sb.append("frontend quorum_in\n");
        sb.append("    bind 127.0.0.1:").append(spec.listenPort()).append("\n");
        sb.append("    # Values are at most ").append(spec.maxBodyBytes())
                .append(" bytes (the agents' max_value_bytes): refuse a bigger body at once.\n");
        sb.append("    http-request deny deny_status 413 if { req.hdr_val(content-length) gt ")
                .append(spec.maxBodyBytes()).append(" }\n");
        sb.append("    default_backend quorum\n\n");

        sb.append("backend quorum\n");
        for (String line : strategy(spec.strategy())) {
            sb.append("    ").append(line).append("\n");
        }
        sb.append("    # Active health: GET /health every second; 3 failures take a node out, 2 successes bring it back.\n");
        sb.append("    option httpchk GET /health\n");
        sb.append("    http-check expect status 200\n");
        sb.append("    # Retries: a failed connection means nothing was sent, so any request goes to another node.\n");
        sb.append("    # Reads (GET, HEAD) are also retried after an empty answer, a timeout or a 502/503/504; writes\n");
        sb.append("    # are not, since the node may have applied them: replaying blindly could overwrite a newer value.\n");
        sb.append("    retries 2\n");
        sb.append("    option redispatch 1\n");
        sb.append("    retry-on conn-failure empty-response response-timeout 502 503 504\n");
        sb.append("    http-request disable-l7-retry unless METH_GET\n");
        sb.append("    http-reuse safe\n");
        for (Backend b : spec.backends()) {
            sb.append("    server ").append(b.id()).append(" ").append(address(b)).append(" ").append(CHECK);
            if (b.weight() != 1) {
                sb.append(" weight ").append(b.weight());
            }
            if (b.backup()) {
                sb.append(" backup");
            }
            if (b.drain()) {
                sb.append(" disabled");
            }
            sb.append("\n");
        }
        return sb.toString();
    }

    private static List<String> strategy(Strategy s) {
        return switch (s) {
            case ROUND_ROBIN -> List.of("# round-robin:", "balance roundrobin");
            case WEIGHTED_ROUND_ROBIN -> List.of("# weighted-round-robin: roundrobin with a weight per server.",
                    "balance roundrobin");
            case LEAST_CONNECTIONS -> List.of("# least-connections:", "balance leastconn");
            case POWER_OF_TWO_CHOICES -> List.of("# power-of-two-choices: draw two nodes at random, use the less"
                    + " loaded.", "balance random(2)");
            case LEAST_TIME -> List.of(
                    "# least-time: HAProxy has no response-time balancing; leastconn is the closest equivalent",
                    "# (a slow node holds its requests longer, so it gets fewer new ones).",
                    "balance leastconn");
            case CONSISTENT_HASH -> List.of("# consistent-hash: the whole request URI (path and query, as nginx's"
                    + " $request_uri) picks the node,", "# so one key always goes to the same node.",
                    "balance uri whole", "hash-type consistent");
        };
    }

    /** HAProxy takes an IPv6 address without brackets, the port after its last colon. */
    private static String address(Backend b) {
        String host = b.host();
        if (host.startsWith("[")) {
            return "ipv6@" + host.substring(1, host.length() - 1) + ":" + b.port();
        }
        return b.address();
    }
}
