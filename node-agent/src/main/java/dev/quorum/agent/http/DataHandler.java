package dev.quorum.agent.http;

import dev.quorum.agent.causal.CausalCoordinator;
import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.config.Topology;
import dev.quorum.agent.consistency.VectorClock;
import dev.quorum.agent.consistency.Consistency;
import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.agent.replication.Coordinator;
import dev.quorum.agent.replication.QuorumSpec;
import dev.quorum.agent.store.Keys;
import dev.quorum.agent.store.Record;
import dev.quorum.client.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The data plane: {@code PUT|GET|HEAD|DELETE /kv/{key}} and {@code GET /kv?prefix=&after=&limit=}.
 * Any agent coordinates any key. See docs/api.md for every header and status.
 */
public final class DataHandler {
    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1_000;
    private static final Set<String> KV_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE");
    private static final Set<String> TRACE_ONLY = Set.of("trace");

    /** The causal session token: sent by the client, answered with the session's new one. */
    public static final String SESSION_HEADER = "X-Quorum-Session";
    /** Primary-replica topology: the primary's log position a write reached, or a read must include. */
    public static final String POSITION_HEADER = "X-Quorum-Position";

    private final Coordinator coordinator;
    private final CausalCoordinator causal;
    private final Supplier<ClusterConfig> config;
    private final String nodeId;
    private final int clusterSize;
    private final java.util.function.Predicate<String> isMember;

    public DataHandler(Coordinator coordinator, CausalCoordinator causal, Supplier<ClusterConfig> config, String nodeId,
            int clusterSize, java.util.function.Predicate<String> isMember) {
        this.coordinator = coordinator;
        this.causal = causal;
        this.config = config;
        this.nodeId = nodeId;
        this.clusterSize = clusterSize;
        this.isMember = isMember;
    }

    /**
     * The first steps of every {@code /kv/{key}} request, on an agent and on the balancer: names the
     * operation, refuses other methods (405), decodes and checks the key (400). Returns the key.
     */
    public static String acceptKey(Call call) {
        String method = call.method();
        call.op(switch (method) {
            case "GET", "HEAD" -> "get";
            case "PUT" -> "put";
            case "DELETE" -> "delete";
            default -> "kv.other";
        });
        if (!KV_METHODS.contains(method)) {
            throw new ApiException(405, "method_not_allowed", method + " is not supported on /kv/{key}; use GET, "
                    + "HEAD, PUT or DELETE").header("Allow", "GET, HEAD, PUT, DELETE");
        }
        String key = PercentCodec.decode(call.rawPath().substring("/kv/".length()), "key", false);
        Keys.problem(key).ifPresent(p -> {
            throw ApiException.badRequest("bad_key", p);
        });
        call.key(key);
        return key;
    }

    /** {@code /kv/{key}}. */
    public void key(Call call) throws Exception {
        String key = acceptKey(call);
        String method = call.method();
        call.allowOnly(TRACE_ONLY);
        ClusterConfig cfg = config.get();
        QuorumSpec q = quorumSpec(call, cfg, clusterSize);
        RequestTrace trace = new RequestTrace(call.traceId(), nodeId, call.op(), key, call.traceRequested());
        call.trace(trace);
        call.setHeader("X-Quorum-Trace-Id", trace.traceId());
        if (cfg.topology() == Topology.PRIMARY_REPLICA) {
            primaryReplica(call, key, method, cfg, trace);
            return;
        }
        VectorClock token = sessionToken(call, q);
        if (token != null) {
            causal(call, key, method, cfg, token, trace);
            return;
        }
        switch (method) {
            case "PUT" -> put(call, key, cfg, q, trace);
            case "DELETE" -> delete(call, key, cfg, q, trace);
            default -> get(call, key, cfg, q, trace);
        }
    }

    /**
     * The primary-replica topology: the primary takes every write (committed, logged, shipped in
     * order to the replicas) and answers its log position; any node serves reads from its own store,
     * a read with {@code X-Quorum-Position} only once it has applied that position (else another
     * replica that has, else 503). See docs/replicas.md.
     */
    private void primaryReplica(Call call, String key, String method, ClusterConfig cfg, RequestTrace trace) {
        if (method.equals("PUT") || method.equals("DELETE")) {
            if (!cfg.isPrimary(nodeId)) {
                throw new ApiException(409, "not_primary", "writes go to the primary, " + cfg.primary()
                        + "; this node (" + nodeId + ") is a replica", Map.of("primary", cfg.primary()));
            }
            var outcome = method.equals("PUT")
                    ? causal.put(key, call.body(cfg.maxValueBytes(), "value"), contentType(call), VectorClock.EMPTY, trace)
                    : causal.delete(key, VectorClock.EMPTY, trace);
            call.answerLater(outcome, out -> {
                String position = VectorClock.EMPTY.with(nodeId, out.seq()).text();
                call.setHeader(POSITION_HEADER, position);
                answerWritten(call, key, trace, out, method.equals("DELETE"), "position", position);
            });
            return;
        }
        VectorClock needed;
        try {
            String p = call.singleHeader(POSITION_HEADER);
            needed = p == null || p.isBlank() ? VectorClock.EMPTY : VectorClock.parseText(p.trim(), isMember);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad_header", POSITION_HEADER + " must look like n1:42 (a position this"
                    + " cluster's primary answered): " + e.getMessage());
        }
        call.answerLater(causal.get(key, needed, trace), out -> {
            call.setHeader(POSITION_HEADER, out.token().text());
            answerRead(call, key, trace, new Coordinator.ReadOutcome(out.record(), List.of(out.answeredBy())));
        });
    }

    /** The session token of a causal request ({@code null} for the other models, which ignore the header). */
    private VectorClock sessionToken(Call call, QuorumSpec q) {
        if (q.model() != Consistency.CAUSAL) {
            return null;
        }
        try {
            return VectorClock.parseToken(call.singleHeader(SESSION_HEADER), isMember);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad_header", SESSION_HEADER + ": " + e.getMessage());
        }
    }

    private void causal(Call call, String key, String method, ClusterConfig cfg, VectorClock token, RequestTrace trace) {
        switch (method) {
            case "PUT" -> {
                String contentType = contentType(call);
                byte[] value = call.body(cfg.maxValueBytes(), "value");
                call.answerLater(causal.put(key, value, contentType, token, trace), out -> causalWritten(call, key, trace, out,
                        false));
            }
            case "DELETE" -> call.answerLater(causal.delete(key, token, trace),
                    out -> causalWritten(call, key, trace, out, true));
            default -> call.answerLater(causal.get(key, token, trace), out -> {
                call.setHeader(SESSION_HEADER, out.token().token());
                answerRead(call, key, trace, new Coordinator.ReadOutcome(out.record(), List.of(out.answeredBy())));
            });
        }
    }

    private static void causalWritten(Call call, String key, RequestTrace trace, CausalCoordinator.WriteOutcome out,
            boolean deleted) {
        call.setHeader(SESSION_HEADER, out.token().token());
        answerWritten(call, key, trace, out, deleted, "consistency", "causal");
    }

    /** The 200 of a write made here (causal model, or primary-replica topology), with one extra body field. */
    private static void answerWritten(Call call, String key, RequestTrace trace, CausalCoordinator.WriteOutcome out,
            boolean deleted, String field, String value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("version", out.version().toString());
        body.put(field, value);
        if (deleted) {
            body.put("deleted", true);
        }
        call.setHeader("X-Quorum-Version", out.version().toString());
        if (!deleted) {
            call.setHeader("ETag", "\"" + out.version() + "\"");
        }
        attachTrace(call, trace, body);
        call.sendJson(200, body);
    }

    private static String contentType(Call call) {
        String contentType = call.singleHeader("Content-Type");
        if (contentType == null || contentType.isBlank()) {
            return DEFAULT_CONTENT_TYPE;
        } else if (contentType.length() > 255 || !contentType.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw ApiException.badRequest("bad_header", "Content-Type must be printable ASCII of at most 255 characters");
        }
        return contentType;
    }

    private void put(Call call, String key, ClusterConfig cfg, QuorumSpec q, RequestTrace trace) {
        String contentType = contentType(call);
        byte[] value = call.body(cfg.maxValueBytes(), "value");
        int w = q.w();
        call.answerLater(coordinator.put(key, value, contentType, q, trace), out -> {
            Map<String, Object> body = writeBody(key, out, w);
            call.setHeader("X-Quorum-Version", out.version().toString());
            call.setHeader("ETag", "\"" + out.version() + "\"");
            attachTrace(call, trace, body);
            call.sendJson(200, body);
        });
    }

    private void delete(Call call, String key, ClusterConfig cfg, QuorumSpec q, RequestTrace trace) {
        int w = q.w();
        call.answerLater(coordinator.delete(key, q, trace), out -> {
            Map<String, Object> body = writeBody(key, out, w);
            body.put("deleted", true);
            call.setHeader("X-Quorum-Version", out.version().toString());
            attachTrace(call, trace, body);
            call.sendJson(200, body);
        });
    }

    private static Map<String, Object> writeBody(String key, Coordinator.WriteOutcome out, int w) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("version", out.version().toString());
        body.put("w", w);
        body.put("acked_by", out.ackedBy());
        return body;
    }

    private void get(Call call, String key, ClusterConfig cfg, QuorumSpec q, RequestTrace trace) {
        call.answerLater(coordinator.get(key, q, trace), out -> answerRead(call, key, trace, out));
    }

    private static void answerRead(Call call, String key, RequestTrace trace, Coordinator.ReadOutcome out) {
        if (trace.requested()) {
            call.setHeader("X-Quorum-Trace", traceHeader(trace));
        }
        Record rec = out.record().orElse(null);
        if (rec == null || rec.tombstone()) {
            if (rec != null) {
                call.setHeader("X-Quorum-Version", rec.version().toString());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "not_found");
            body.put("message", rec == null ? "key '" + key + "' not found" : "key '" + key + "' was deleted");
            if (rec != null) {
                body.put("deleted_version", rec.version().toString());
            }
            attachTrace(call, trace, body);
            call.sendJson(404, body);
            return;
        }
        call.setHeader("X-Quorum-Version", rec.version().toString());
        call.setHeader("ETag", "\"" + rec.version() + "\"");
        call.send(200, rec.value(), rec.contentType() == null ? DEFAULT_CONTENT_TYPE : rec.contentType());
    }

    /** {@code GET /kv?prefix=&after=&limit=}. */
    public void list(Call call) throws Exception {
        call.op("list");
        if (!"GET".equals(call.method()) && !"HEAD".equals(call.method())) {
            throw new ApiException(405, "method_not_allowed", call.method() + " is not supported on /kv; use GET")
                    .header("Allow", "GET, HEAD");
        }
        call.allowOnly(Set.of("prefix", "after", "limit"));
        Map<String, String> q = call.query();
        String prefix = q.getOrDefault("prefix", "");
        String after = q.get("after");
        if (!prefix.isEmpty()) {
            Keys.problem(prefix).ifPresent(p -> {
                throw ApiException.badRequest("bad_parameter", "prefix: " + p);
            });
        }
        if (after != null) {
            Keys.problem(after).ifPresent(p -> {
                throw ApiException.badRequest("bad_parameter", "after: " + p);
            });
        }
        int limit = intParam(q.get("limit"), "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
        call.answerLater(coordinator.list(prefix, after, limit), out -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("keys", out.keys());
            body.put("next", out.next());
            body.put("complete", out.complete());
            body.put("unreachable", out.unreachable());
            call.sendJson(200, body);
        });
    }

    /**
     * The model and quorums of this request: the cluster's, or those asked for in
     * {@code X-Quorum-Consistency}, {@code X-Quorum-R} and {@code X-Quorum-W}. Strong needs R + W > N
     * with the quorums actually used, so a request cannot weaken it by lowering one of them.
     */
    private static QuorumSpec quorumSpec(Call call, ClusterConfig cfg, int clusterSize) {
        Consistency model = cfg.consistency();
        String c = call.singleHeader("X-Quorum-Consistency");
        if (c != null) {
            try {
                model = Consistency.parse(c);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("bad_header", "X-Quorum-Consistency: " + e.getMessage());
            }
            if (model == Consistency.CAUSAL && cfg.n() != clusterSize) {
                throw ApiException.badRequest("bad_header", "X-Quorum-Consistency: causal needs every node to hold"
                        + " every key (n = cluster size " + clusterSize + "), but n is " + cfg.n());
            }
        }
        int r = quorumHeader(call, "X-Quorum-R", cfg.r(), cfg.n());
        int w = quorumHeader(call, "X-Quorum-W", cfg.w(), cfg.n());
        if (model == Consistency.STRONG && r + w <= cfg.n()) {
            throw ApiException.badRequest("bad_header", "strong consistency needs R + W > N; this request has R="
                    + r + " W=" + w + " N=" + cfg.n());
        }
        return new QuorumSpec(model, r, w);
    }

    private static int quorumHeader(Call call, String name, int dflt, int n) {
        String v = call.singleHeader(name);
        if (v == null) {
            return dflt;
        }
        return intParam(v.trim(), name, dflt, 1, n, "bad_header");
    }

    private static int intParam(String v, String name, int dflt, int min, int max) {
        return intParam(v, name, dflt, min, max, "bad_parameter");
    }

    private static int intParam(String v, String name, int dflt, int min, int max, String code) {
        if (v == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw ApiException.badRequest(code, name + " must be an integer between " + min + " and " + max
                + ", got '" + v + "'");
    }

    private static void attachTrace(Call call, RequestTrace trace, Map<String, Object> body) {
        if (trace.requested()) {
            body.put("trace", trace.toMap());
            call.setHeader("X-Quorum-Trace", traceHeader(trace));
        }
    }

    /** The trace as one header line: JSON with every non-ASCII character escaped. */
    private static String traceHeader(RequestTrace trace) {
        String json = Json.MAPPER.writeValueAsString(trace.toMap());
        StringBuilder sb = new StringBuilder(json.length());
        for (char c : json.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
