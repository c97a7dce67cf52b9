package dev.quorum.agent.http;

import dev.quorum.agent.config.ConfigSync;
import dev.quorum.agent.config.LiveConfig;
import dev.quorum.agent.observe.NodeState;
import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.config.ConfigPatch;
import dev.quorum.agent.observe.AgentMetrics;
import dev.quorum.client.wire.HealthReport;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code /health}, {@code /metrics}, {@code /admin/config} and {@code /admin/status}. */
public final class ControlHandler {
    private static final int MAX_ADMIN_BODY = 64 * 1024;

    private final NodeState node;
    private final LiveConfig config;
    private final ConfigSync sync;
    private final AgentMetrics metrics;

    public ControlHandler(NodeState node, LiveConfig config, ConfigSync sync, AgentMetrics metrics) {
        this.node = node;
        this.config = config;
        this.sync = sync;
        this.metrics = metrics;
    }

    public void health(Call call) {
        call.op("health");
        onlyGet(call);
        boolean ready = node.ready();
        ClusterConfig cfg = config.get();
        boolean pr = cfg.topology() == dev.quorum.agent.config.Topology.PRIMARY_REPLICA;
        HealthReport h = new HealthReport(ready ? "ok" : "unavailable", true, ready, node.id(), "agent",
                cfg.version(), node.uptimeMillis(), cfg.topology().wireName(), pr ? cfg.primary() : null,
                pr ? node.position(cfg.primary()) : null);
        call.sendJson(ready ? 200 : 503, h);
    }

    public void metrics(Call call) throws Exception {
        call.op("metrics");
        onlyGet(call);
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        metrics.writeTo(out);
        call.send(200, out.toByteArray(), metrics.contentType());
    }

    public void adminConfig(Call call) {
        call.op("admin.config");
        switch (call.method()) {
            case "GET" -> {
                call.allowOnly(Set.of());
                call.sendJson(200, config.get());
            }
            case "PUT" -> {
                call.allowOnly(Set.of("scope"));
                String scope = call.query().getOrDefault("scope", "cluster");
                if (!scope.equals("cluster") && !scope.equals("node")) {
                    throw ApiException.badRequest("bad_parameter", "scope must be 'cluster' or 'node', got '" + scope + "'");
                }
                ConfigPatch patch = call.json(MAX_ADMIN_BODY, ConfigPatch.class);
                ClusterConfig next;
                try {
                    next = config.update(patch, scope.equals("cluster"));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("bad_config", e.getMessage());
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("config", next);
                if (scope.equals("cluster")) {
                    body.put("propagated", sync.pushToPeers());
                }
                call.sendJson(200, body);
            }
            default -> throw new ApiException(405, "method_not_allowed", call.method()
                    + " is not supported on /admin/config; use GET or PUT").header("Allow", "GET, PUT");
        }
    }

    /**
     * {@code POST /admin/promote}: makes this node the primary of the primary-replica topology (a
     * cluster-wide configuration change, spread at once; the old primary, if alive, turns replica
     * and refuses writes). See docs/replicas.md for what asynchronous shipping can lose.
     */
    public void adminPromote(Call call) {
        call.op("admin.promote");
        call.allowOnly(Set.of());
        if (!"POST".equals(call.method())) {
            throw new ApiException(405, "method_not_allowed", "use POST for /admin/promote").header("Allow", "POST");
        }
        ClusterConfig before = config.get();
        ClusterConfig next;
        try {
            next = config.update(new ConfigPatch(null, null, null, null, null, null, null, null, null, null, null,
                    "primary-replica", node.id()), true);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad_config", e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("primary", node.id());
        body.put("previous_primary", before.topology() == dev.quorum.agent.config.Topology.PRIMARY_REPLICA
                ? before.primary() : null);
        body.put("config", next);
        body.put("propagated", sync.pushToPeers());
        call.sendJson(200, body);
    }

    public void adminStatus(Call call) {
        call.op("admin.status");
        onlyGet(call);
        call.sendJson(200, node.status());
    }

    /**
     * {@code GET /admin/digest}: one digest of every record this node holds (key, version, tombstone),
     * read now. Two replicas holding the same keys (every node, when n = cluster size) hold the same
     * data exactly when their digests and counts are equal — what convergence measurements poll.
     */
    public void adminDigest(Call call) {
        call.op("admin.digest");
        onlyGet(call);
        call.sendJson(200, node.digest());
    }

    private static void onlyGet(Call call) {
        if (!"GET".equals(call.method()) && !"HEAD".equals(call.method())) {
            throw new ApiException(405, "method_not_allowed", call.method() + " is not supported here; use GET")
                    .header("Allow", "GET, HEAD");
        }
        call.allowOnly(Set.of());
    }
}
