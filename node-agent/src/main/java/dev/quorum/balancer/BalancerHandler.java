package dev.quorum.balancer;

import dev.quorum.agent.http.ApiException;
import dev.quorum.agent.http.Call;
import dev.quorum.agent.http.DataHandler;
import dev.quorum.client.Json;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer's HTTP routes: the data plane ({@code /kv/…}, {@code /kv}) proxied to a backend,
 * {@code /health}, {@code /metrics}, and the admin endpoints ({@code /admin/status},
 * {@code /admin/config}, {@code /admin/backends/{id}}).
 *
 * <h2>Retries</h2>
 * A GET or HEAD that fails on its backend (no answer, a timeout, or a 5xx that says the backend
 * itself is in trouble) is retried once on another backend: reading twice changes nothing. A PUT or
 * DELETE is retried only when the connection was refused — it certainly never reached the backend.
 * Otherwise it may have been applied there, and sending it again elsewhere could apply a write the
 * client has since overwritten (or delete a newer value): the client gets the failure, and decides.
 */
final class BalancerHandler {
    private static final Logger log = LoggerFactory.getLogger("quorum.balancer");
    /** 5xx error codes of an agent that mean "this node is in trouble", not "the cluster cannot do it". */
    private static final Set<String> BACKEND_TROUBLE = Set.of("shutting_down", "overloaded", "store_read_only",
            "store_error", "store_corrupt", "internal_error", "disk_full");

    /** Response header naming the backend that answered. */
    static final String BACKEND_HEADER = "X-Quorum-Backend";

    private final BackendPool pool;
    private final java.util.function.Supplier<Forwarder> forwarder;
    private final BalancerMetrics metrics;
    private final AtomicReference<BalancerConfig> config;
    private final String id;
    private final long maxBodyBytes;

    BalancerHandler(String id, BackendPool pool, java.util.function.Supplier<Forwarder> forwarder, BalancerMetrics metrics,
            AtomicReference<BalancerConfig> config, long maxBodyBytes) {
        this.id = id;
        this.pool = pool;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.config = config;
        this.maxBodyBytes = maxBodyBytes;
    }

    // ------------------------------------------------------------------ data plane

    /** {@code /kv/{key}}: the key is checked here (a bad one never costs a backend a request), then proxied. */
    void key(Call call) {
        String key = DataHandler.acceptKey(call);
        proxy(call, key);
    }

    /** {@code /kv?prefix=…}: any backend can answer a listing. */
    void list(Call call) {
        call.op("list");
        if (!"GET".equals(call.method()) && !"HEAD".equals(call.method())) {
            throw new ApiException(405, "method_not_allowed", call.method() + " is not supported on /kv; use GET")
                    .header("Allow", "GET, HEAD");
        }
        proxy(call, null);
    }

    private void proxy(Call call, String key) {
        byte[] body = "PUT".equals(call.method()) ? call.body(maxBodyBytes, "value") : null;
        String target = call.rawPath() + (call.rawQuery() == null ? "" : "?" + call.rawQuery());
        Iterable<Map.Entry<String, String>> headers = call.requestHeaders();
        Route route = route(call, key);
        Backend first = route.choose(null);
        if (first == null) {
            throw noBackend();
        }
        call.answerLater(attempt(call, first, target, headers, body, route, true), answer -> relay(call, answer));
    }

    /**
     * How a request picks its backend: by the strategy among all (leaderless), or — when the agents
     * report the primary-replica topology — writes to the primary and reads to replicas that are not
     * too far behind and have the client's {@code X-Quorum-Position}.
     */
    private interface Route {
        Backend choose(Backend exclude);
    }

    private Route route(Call call, String key) {
        Backend primary = pool.primary();
        if (primary == null) {
            return exclude -> pool.choose(key, exclude);
        }
        boolean write = call.method().equals("PUT") || call.method().equals("DELETE");
        long min = minPosition(call.header("X-Quorum-Position"), primary.id());
        long maxLag = config.get().maxLagEntries();
        call.logField("split", write ? "write" : "read");
        return exclude -> pool.chooseSplit(primary, write, key, exclude, min, maxLag);
    }

    /** The position a read must include, on the primary's log ({@code n1:42} → 42); 0 when absent or about another log. */
    private static long minPosition(String header, String primary) {
        if (header == null) {
            return 0;
        }
        for (String part : header.split(",")) {
            int colon = part.lastIndexOf(':');
            if (colon > 0 && part.substring(0, colon).trim().equals(primary)) {
                try {
                    return Long.parseLong(part.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return 0; // the agent refuses it with a clear 400
                }
            }
        }
        return 0;
    }

    private ApiException noBackend() {
        return new ApiException(503, "no_backend", "no backend is available (all down, ejected, draining or in"
                + " maintenance)", Map.of("backends", pool.list().stream().map(b -> b.status(System.nanoTime()))
                .toList())).header("Retry-After", "1");
    }

    private CompletableFuture<Forwarder.Answer> attempt(Call call, Backend b, String target,
            Iterable<Map.Entry<String, String>> headers, byte[] body, Route route, boolean mayRetry) {
        BalancerConfig cfg = config.get();
        String method = call.method().equals("HEAD") ? "GET" : call.method();
        long start = System.nanoTime();
        b.started();
        call.logField("backend", b.id());
        return forwarder.get().send(b, call.eventLoop(), method, target, headers, body, cfg.upstreamTimeoutMs())
                .handle((answer, err) -> {
            long micros = (System.nanoTime() - start) / 1_000;
            String trouble = err != null ? reason(err) : trouble(answer);
            boolean ejected = b.finished(micros, trouble != null, cfg.ejectAfter(), cfg.ejectMs() * 1_000_000,
                    System.nanoTime());
            metrics.requestsOf(b.id(), err == null ? answer.status() : 0).inc();
            metrics.latencyOf(b.id()).observe(micros / 1e6);
            if (trouble != null) {
                metrics.backendErrors.labelValues(b.id(), trouble).inc();
                if (ejected) {
                    metrics.ejections.labelValues(b.id()).inc();
                    log.atWarn().addKeyValue("event", "backend_ejected").addKeyValue("backend", b.id())
                            .addKeyValue("for_ms", cfg.ejectMs()).addKeyValue("reason", trouble)
                            .log("backend {} ejected for {} ms after {} failed requests in a row (last: {})", b.id(),
                                    cfg.ejectMs(), cfg.ejectAfter(), trouble);
                }
            }
            call.logField("upstream_ms", Math.round(micros) / 1000.0);
            if (trouble == null || !mayRetry || !retryable(call.method(), err, cfg)) {
                if (err != null) {
                    throw new CompletionException(upstreamFailure(b, err));
                }
                return CompletableFuture.completedFuture(answer);
            }
            Backend next = route.choose(b);
            if (next == null) {
                if (err != null) {
                    throw new CompletionException(upstreamFailure(b, err));
                }
                return CompletableFuture.completedFuture(answer);
            }
            metrics.retries.labelValues(b.id()).inc();
            call.logField("retried_from", b.id());
            return attempt(call, next, target, headers, body, route, false);
        }).thenCompose(f -> f);
    }

    /** GETs are retried on any trouble; writes only when the connection was refused (never sent). */
    private static boolean retryable(String method, Throwable err, BalancerConfig cfg) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return cfg.retryGets();
        }
        return err != null && root(err) instanceof ConnectException;
    }

    private static Throwable root(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String reason(Throwable err) {
        Throwable t = root(err);
        if (t instanceof ConnectException) {
            return "connect";
        }
        if (t instanceof SocketTimeoutException || (t instanceof java.io.InterruptedIOException
                && String.valueOf(t.getMessage()).contains("timeout"))) {
            return "timeout";
        }
        return "io";
    }

    /** Whether an answer says the backend itself is in trouble (then it counts against it, and a GET moves on). */
    private static String trouble(Forwarder.Answer a) {
        int s = a.status();
        if (s < 500) {
            return null;
        }
        if (s == 502 || s == 504 || s == 500) {
            return "status_" + s;
        }
        if (s == 503 || s == 507) {
            try {
                String code = Json.MAPPER.readTree(a.body()).path("error").asText("");
                return BACKEND_TROUBLE.contains(code) ? "status_" + s : null;
            } catch (RuntimeException notJson) {
                return "status_" + s;
            }
        }
        return null;
    }

    private static void relay(Call call, Forwarder.Answer a) {
        for (Map.Entry<String, String> h : a.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!Forwarder.HOP_BY_HOP.contains(lower) && !lower.equals("content-type")) {
                call.setHeader(h.getKey(), h.getValue());
            }
        }
        call.setHeader(BACKEND_HEADER, a.backend());
        call.send(a.status(), a.body(), a.contentType());
    }

    /** A backend that did not answer: 502 (or 504 for a timeout), naming it and why. */
    private static ApiException upstreamFailure(Backend backend, Throwable cause) {
        String reason = reason(cause);
        boolean timeout = reason.equals("timeout");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("backend", backend.id());
        d.put("reason", reason);
        return new ApiException(timeout ? 504 : 502, timeout ? "gateway_timeout" : "bad_gateway",
                "backend " + backend.id() + " did not answer: " + root(cause), d);
    }

    // ------------------------------------------------------------------ control plane

    void health(Call call) {
        call.op("health");
        call.allowOnly(Set.of());
        long now = System.nanoTime();
        long up = pool.all().stream().filter(b -> b.available(now)).count();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", up > 0 ? "ok" : "no_backend");
        h.put("node", id);
        h.put("role", "balancer");
        h.put("backends_available", up);
        h.put("backends", pool.all().size());
        call.sendJson(up > 0 ? 200 : 503, h);
    }

    void metrics(Call call) throws Exception {
        call.op("metrics");
        call.allowOnly(Set.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.writeTo(out);
        call.send(200, out.toByteArray(), metrics.contentType());
    }

    void status(Call call) {
        call.op("admin.status");
        onlyGet(call);
        long now = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("role", "balancer");
        m.put("pid", ProcessHandle.current().pid());
        m.put("strategy", pool.strategy().wireName());
        Backend primary = pool.primary();
        m.put("topology", primary == null ? "leaderless" : "primary-replica");
        if (primary != null) {
            m.put("primary", primary.id());
        }
        m.put("config", configMap());
        List<Object> backends = new ArrayList<>();
        pool.all().forEach(b -> backends.add(b.status(now)));
        m.put("backends", backends);
        call.sendJson(200, m);
    }

    private Map<String, Object> configMap() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("strategy", pool.strategy().wireName());
        c.putAll(Json.MAPPER.convertValue(config.get(), Map.class));
        return c;
    }

    void config(Call call) {
        call.op("admin.config");
        call.allowOnly(Set.of());
        switch (call.method()) {
            case "GET", "HEAD" -> call.sendJson(200, configMap());
            case "PUT" -> {
                BalancerConfig.Patch p = call.json(64 * 1024, BalancerConfig.Patch.class);
                List<String> problems = new ArrayList<>();
                Strategy s = pool.strategy();
                if (p.strategy() != null) {
                    try {
                        s = Strategy.parse(p.strategy());
                    } catch (IllegalArgumentException e) {
                        problems.add(e.getMessage());
                    }
                }
                BalancerConfig next = config.get().apply(p);
                problems.addAll(next.problems());
                if (!problems.isEmpty()) {
                    throw ApiException.badRequest("bad_config", String.join("; ", problems));
                }
                Strategy before = pool.strategy();
                pool.strategy(s);
                config.set(next);
                log.atInfo().addKeyValue("event", "config_changed").addKeyValue("strategy", s.wireName())
                        .addKeyValue("previous_strategy", before.wireName())
                        .log("balancer settings changed; strategy {}", s.wireName());
                call.sendJson(200, configMap());
            }
            default -> throw new ApiException(405, "method_not_allowed", "use GET or PUT for /admin/config")
                    .header("Allow", "GET, PUT");
        }
    }

    /** A {@code PUT /admin/backends/{id}} body: every field optional. */
    record BackendPatch(String state, Integer weight, Boolean backup) {}

    void backend(Call call) {
        call.op("admin.backend");
        call.allowOnly(Set.of());
        String bid = call.rawPath().substring("/admin/backends/".length());
        Backend b = pool.get(bid);
        if (b == null) {
            throw new ApiException(404, "not_found", "no backend '" + bid + "'; backends: "
                    + pool.all().stream().map(Backend::id).toList());
        }
        switch (call.method()) {
            case "GET", "HEAD" -> call.sendJson(200, b.status(System.nanoTime()));
            case "PUT" -> {
                BackendPatch p = call.json(64 * 1024, BackendPatch.class);
                List<String> problems = new ArrayList<>();
                Backend.AdminState st = b.state();
                if (p.state() != null) {
                    try {
                        st = Backend.AdminState.parse(p.state());
                    } catch (IllegalArgumentException e) {
                        problems.add(e.getMessage());
                    }
                }
                if (p.weight() != null && (p.weight() < 1 || p.weight() > 256)) {
                    problems.add("weight must be between 1 and 256, got " + p.weight());
                }
                if (!problems.isEmpty()) {
                    throw ApiException.badRequest("bad_config", String.join("; ", problems));
                }
                b.state(st);
                if (p.weight() != null) {
                    b.weight(p.weight());
                }
                if (p.backup() != null) {
                    b.backup(p.backup());
                }
                log.atInfo().addKeyValue("event", "backend_changed").addKeyValue("backend", b.id())
                        .addKeyValue("state", b.state().wireName()).addKeyValue("weight", b.weight())
                        .addKeyValue("backup", b.backup())
                        .log("backend {} set to {} (weight {}, backup {})", b.id(), b.state().wireName(), b.weight(),
                                b.backup());
                call.sendJson(200, b.status(System.nanoTime()));
            }
            default -> throw new ApiException(405, "method_not_allowed", "use GET or PUT for /admin/backends/{id}")
                    .header("Allow", "GET, PUT");
        }
    }

    private static void onlyGet(Call call) {
        if (!"GET".equals(call.method()) && !"HEAD".equals(call.method())) {
            throw new ApiException(405, "method_not_allowed", call.method() + " is not supported here; use GET")
                    .header("Allow", "GET, HEAD");
        }
        call.allowOnly(Set.of());
    }
}
