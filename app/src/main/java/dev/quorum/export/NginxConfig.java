package dev.quorum.export;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A complete nginx configuration (open-source nginx 1.18 or newer) proxying 127.0.0.1:PORT to the
 * backends. Every file nginx writes (pid, logs, temporary files) lives under one run directory, so it
 * runs unprivileged from anywhere: {@code nginx -p RUNDIR -c FILE -e RUNDIR/error.log}.
 *
 * <p>Retries: GET and HEAD are passed to the next node on a connection error, a timeout or a
 * 502/503/504; every other method goes through {@code @quorum_writes}, where
 * {@code proxy_next_upstream off} forbids retries (nginx counts PUT and DELETE as idempotent and would
 * otherwise replay them; {@code non_idempotent} is never set).
 */
public final class NginxConfig {
    /** Failures within {@link #FAIL_TIMEOUT} before nginx stops sending to a node for that long. */
    static final int MAX_FAILS = 3;
    static final String FAIL_TIMEOUT = "10s";
    static final int KEEPALIVE = 32;

    private NginxConfig() {}

    /**
     * The file's text.
     *
     * @param runDir where nginx keeps its pid, logs and temporary files (made absolute)
     * @throws IllegalArgumentException if the strategy cannot be combined with backup nodes in nginx, or
     *     the run directory's name cannot be written in an nginx file
     */
    public static String render(ExportSpec spec, Path runDir, Instant generatedAt) {
        String dir = runDirectory(runDir);
        checkBackups(spec);
        StringBuilder sb = new StringBuilder(ConfigHeader.render("nginx", spec, generatedAt));
        sb.append("# Run: nginx -p ").append(dir).append(" -e ").append(dir).append("/error.log -c THIS_FILE")
                .append("   (add -g 'daemon off;' to stay in the foreground)\n");
        sb.append("# Check: nginx -t -p ").append(dir).append(" -c THIS_FILE\n\n");

        sb.append("worker_processes auto;\n");
        sb.append("pid ").append(quote(dir + "/nginx.pid")).append(";\n");
        sb.append("error_log ").append(quote(dir + "/error.log")).append(" warn;\n\n");
        sb.append("events {\n    worker_connections 1024;\n}\n\n");

        sb.append("http {\n");
        sb.append("    # Which node answered (a retried read lists every node it tried, comma-separated).\n");
        sb.append("    log_format quorum '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent'\n");
        sb.append("                      ' upstream=$upstream_addr upstream_status=$upstream_status'\n");
        sb.append("                      ' upstream_time=$upstream_response_time';\n");
        sb.append("    access_log ").append(quote(dir + "/access.log")).append(" quorum;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            sb.append("    ").append(temp).append("_temp_path ").append(quote(dir + "/" + temp + "_temp")).append(";\n");
        }
        sb.append("    default_type application/octet-stream;\n");
        sb.append("    server_tokens off;\n\n");
        sb.append("    # Values are at most ").append(spec.maxBodyBytes()).append(" bytes (the agents' max_value_bytes);")
                .append(" a bigger body is answered 413 here.\n");
        sb.append("    # Bodies and answers of that size stay in memory: no temporary files.\n");
        sb.append("    client_max_body_size ").append(spec.maxBodyBytes()).append(";\n");
        sb.append("    client_body_buffer_size ").append(spec.maxBodyBytes()).append(";\n");
        sb.append("    proxy_max_temp_file_size 0;\n\n");

        upstream(sb, spec);
        server(sb, spec);
        sb.append("}\n");
        return sb.toString();
    }

    private static void upstream(StringBuilder sb, ExportSpec spec) {
        sb.append("    upstream quorum {\n");
        sb.append("        # Shared by every worker: one rotation, one count of connections and failures.\n");
        sb.append("        zone quorum 64k;\n");
        for (String line : strategy(spec.strategy())) {
            sb.append("        ").append(line).append("\n");
        }
        sb.append("        # Passive health: ").append(MAX_FAILS).append(" failed attempts within ").append(FAIL_TIMEOUT)
                .append(" take a node out for ").append(FAIL_TIMEOUT)
                .append(" (active /health checks are NGINX Plus only).\n");
        for (Backend b : spec.backends()) {
            sb.append("        server ").append(b.address());
            if (b.weight() != 1) {
                sb.append(" weight=").append(b.weight());
            }
            sb.append(" max_fails=").append(MAX_FAILS).append(" fail_timeout=").append(FAIL_TIMEOUT);
            if (b.backup()) {
                sb.append(" backup");
            }
            if (b.drain()) {
                sb.append(" down");
            }
            sb.append(";  # ").append(b.id()).append(b.drain() ? " (drain)" : "").append("\n");
        }
        sb.append("        keepalive ").append(KEEPALIVE).append(";\n");
        sb.append("        keepalive_timeout 60s;\n");
        sb.append("    }\n\n");
    }

    private static List<String> strategy(Strategy s) {
        return switch (s) {
            case ROUND_ROBIN -> List.of("# round-robin: nginx's default method (no directive).");
            case WEIGHTED_ROUND_ROBIN -> List.of("# weighted-round-robin: nginx's default method with weight= per server.");
            case LEAST_CONNECTIONS -> List.of("# least-connections:", "least_conn;");
            case POWER_OF_TWO_CHOICES -> List.of("# power-of-two-choices: pick two nodes at random, use the one with"
                    + " fewer active connections.", "random two least_conn;");
            case LEAST_TIME -> List.of(
                    "# least-time: nginx's least_time is in NGINX Plus only; open-source nginx gets least_conn, the",
                    "# closest equivalent (a slow node holds its requests longer, so it gets fewer new ones).",
                    "least_conn;");
            case CONSISTENT_HASH -> List.of("# consistent-hash: the request URI (path and query) picks the node, so"
                    + " one key always goes to the same node.", "hash $request_uri consistent;");
        };
    }

    private static void server(StringBuilder sb, ExportSpec spec) {
        sb.append("    server {\n");
        sb.append("        listen 127.0.0.1:").append(spec.listenPort()).append(";\n\n");
        sb.append("        proxy_connect_timeout 2s;\n");
        sb.append("        proxy_send_timeout 30s;\n");
        sb.append("        proxy_read_timeout 30s;\n\n");
        sb.append("        # Reads (GET, HEAD) may be retried on the next node: they change nothing.\n");
        sb.append("        location / {\n");
        sb.append("            # Anything else is a write: handled by @quorum_writes, which never retries.\n");
        sb.append("            if ($request_method !~ ^(GET|HEAD)$) {\n");
        sb.append("                return 418;\n");
        sb.append("            }\n");
        sb.append("            error_page 418 = @quorum_writes;\n\n");
        proxy(sb);
        sb.append("            proxy_next_upstream error timeout http_502 http_503 http_504;\n");
        sb.append("            proxy_next_upstream_tries 3;\n");
        sb.append("            proxy_next_upstream_timeout 10s;\n");
        sb.append("        }\n\n");
        sb.append("        # Writes (PUT, DELETE, ...) are never retried: a node may have applied a write whose answer\n");
        sb.append("        # was lost, and replaying it blindly could overwrite a newer value. The client decides.\n");
        sb.append("        location @quorum_writes {\n");
        proxy(sb);
        sb.append("            proxy_next_upstream off;\n");
        sb.append("        }\n");
        sb.append("    }\n");
    }

    private static void proxy(StringBuilder sb) {
        sb.append("            proxy_pass http://quorum;\n");
        sb.append("            proxy_http_version 1.1;\n");
        sb.append("            proxy_set_header Connection \"\";\n");
        sb.append("            proxy_set_header Host $http_host;\n");
        sb.append("            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n");
    }

    /** nginx refuses {@code backup} with its hash and random methods. */
    private static void checkBackups(ExportSpec spec) {
        boolean hasBackup = spec.backends().stream().anyMatch(Backend::backup);
        if (hasBackup && (spec.strategy() == Strategy.CONSISTENT_HASH
                || spec.strategy() == Strategy.POWER_OF_TWO_CHOICES)) {
            throw new IllegalArgumentException("nginx cannot use backup nodes with " + spec.strategy().label()
                    + " (its hash and random methods have no backup servers); use another strategy, or drop"
                    + " the backup flag");
        }
    }

    private static String runDirectory(Path runDir) {
        if (runDir == null) {
            throw new IllegalArgumentException("no run directory for nginx's pid, logs and temporary files");
        }
        String dir = runDir.toAbsolutePath().normalize().toString();
        for (char c : dir.toCharArray()) {
            if (c == '"' || c == '\\' || c == '$' || c == '\'' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("run directory '" + dir + "' contains '" + c
                        + "', which an nginx file cannot hold; choose another directory");
            }
        }
        if (dir.endsWith("/") && dir.length() > 1) {
            dir = dir.substring(0, dir.length() - 1);
        }
        return dir;
    }

    private static String quote(String path) {
        return "\"" + path + "\"";
    }
}
