package dev.quorum.agent.http;

import com.sun.net.httpserver.HttpServer;
import dev.quorum.agent.observe.AgentMetrics;
import dev.quorum.agent.replication.QuorumException;
import dev.quorum.agent.replication.Replicas;
import dev.quorum.agent.store.StoreException;
import dev.quorum.common.Threads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP server: routing, authentication, the mapping of failures to statuses, one
 * access-log record and one metric observation per request. Successful {@code /health} and
 * {@code /metrics} requests (probes and scrapes, every second from every peer) are logged at DEBUG,
 * so they do not drown the log; they are still counted in the metrics.
 *
 * <p>Threads: the JDK server's dispatcher thread accepts connections; requests are read and
 * handled on the bounded {@code http} pool. Handlers of the data plane and of replica batches do
 * not wait for replicas: they start the work and return, and the answer is written later, again on
 * the {@code http} pool ({@link Call#answerLater}). So a few threads serve many concurrent requests.
 */
public final class HttpApi implements Call.Server {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final Logger access = LoggerFactory.getLogger("quorum.access");

    /** A route: a path that matches exactly, or a prefix ending in '/'. */
    private record Route(String path, boolean prefix, boolean authenticated, Handler handler) {}

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final Auth auth;
    private final AgentMetrics metrics;
    private final String nodeId;
    private HttpServer server;
    private ThreadPoolExecutor pool;

    public HttpApi(Auth auth, AgentMetrics metrics, String nodeId) {
        this.auth = auth;
        this.metrics = metrics;
        this.nodeId = nodeId;
    }

    public HttpApi route(String path, Handler h) {
        routes.put(path, new Route(path, path.endsWith("/"), false, h));
        return this;
    }

    public HttpApi authenticatedRoute(String path, Handler h) {
        routes.put(path, new Route(path, path.endsWith("/"), true, h));
        return this;
    }

    public void start(String bind, int port, int threads) throws IOException {
        pool = Threads.bounded("http", threads, 4_096);
        server = HttpServer.create(new InetSocketAddress(bind, port), 1_024);
        server.setExecutor(pool);
        server.createContext("/", ex -> serve(new Call(ex, this)));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting, lets exchanges in progress finish for up to {@code drainSeconds}, stops the pool. */
    public void stop(int drainSeconds) {
        if (server != null) {
            server.stop(drainSeconds);
            Threads.shutdown(pool, drainSeconds * 1_000L);
        }
    }

    private Route match(String path) {
        Route exact = routes.get(path);
        if (exact != null && !exact.prefix()) {
            return exact;
        }
        for (Route r : routes.values()) {
            if (r.prefix() && path.startsWith(r.path())) {
                return r;
            }
        }
        return null;
    }

    @Override
    public java.util.concurrent.Executor responder() {
        return task -> {
            try {
                pool.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException full) {
                task.run(); // never drop an answer: run it on the completing thread instead
            }
        };
    }

    @Override
    public void answered(Call call) {
        record(call);
    }

    private void serve(Call call) {
        try {
            Route route = match(call.rawPath());
            if (route == null) {
                call.op("not_found");
                throw new ApiException(404, "not_found", "no such endpoint: " + call.rawPath());
            }
            if (route.authenticated()) {
                call.op(route.path().replace("/", ".").replaceAll("^\\.|\\.$", ""));
                auth.check(call);
            }
            route.handler().handle(call);
        } catch (Throwable t) {
            answerError(call, t);
        }
        if (!call.answered() && !call.deferred()) {
            answerError(call, new IllegalStateException("handler sent no response"));
        }
    }

    @Override
    public void answerError(Call call, Throwable thrown) {
        ApiException e = toApi(Replicas.root(thrown));
        if (call.answered()) {
            log.warn("error after the response was sent for {} {}: {}", call.method(), call.rawPath(), thrown.toString());
            return;
        }
        e.headers().forEach(call::setHeader);
        call.setHeader("X-Quorum-Trace-Id", call.traceId());
        Map<String, Object> body = e.body();
        if (call.trace() != null && (call.trace().requested() || e.status() == 503)) {
            body = new LinkedHashMap<>(body);
            body.put("trace", call.trace().toMap());
        }
        call.sendJson(e.status(), body);
    }

    private ApiException toApi(Throwable t) {
        if (t instanceof ApiException a) {
            return a;
        }
        if (t instanceof QuorumException q) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("op", q.op());
            d.put("needed", q.needed());
            d.put("acked", q.acked().size());
            d.put("acked_by", q.acked());
            d.put("failures", q.failures());
            if (!"get".equals(q.op())) {
                d.put("outcome", q.outcome());
            }
            return new ApiException(503, "quorum_failed", q.op() + " needed " + q.needed() + " replicas but "
                    + q.acked().size() + " answered" + (q.failures().isEmpty() ? "" : ": " + q.failures()), d)
                    .header("Retry-After", "1");
        }
        if (t instanceof StoreException s) {
            return switch (s.reason()) {
                case DISK_FULL -> new ApiException(507, "disk_full", s.getMessage());
                case READ_ONLY -> new ApiException(503, "store_read_only", s.getMessage());
                case OVERLOADED -> new ApiException(503, "overloaded", s.getMessage()).header("Retry-After", "1");
                case CLOSED -> new ApiException(503, "shutting_down", s.getMessage()).header("Retry-After", "1");
                case CORRUPT -> new ApiException(500, "store_corrupt", s.getMessage());
                case IO -> new ApiException(500, "store_error", s.getMessage());
            };
        }
        log.error("unexpected failure", t);
        return new ApiException(500, "internal_error", "unexpected failure: " + t);
    }

    private void record(Call call) {
        String status = Integer.toString(call.status());
        metrics.requests.labelValues(call.op(), status).inc();
        metrics.requestDuration.labelValues(call.op()).observe(call.elapsedSeconds());
        boolean routine = call.status() < 400 && ("health".equals(call.op()) || "metrics".equals(call.op()));
        var b = (call.status() >= 500 ? access.atWarn() : routine ? access.atDebug() : access.atInfo())
                .addKeyValue("event", "request")
                .addKeyValue("op", call.op())
                .addKeyValue("method", call.method())
                .addKeyValue("path", call.rawPath())
                .addKeyValue("status", call.status())
                .addKeyValue("latency_ms", Math.round(call.elapsedMs() * 1000) / 1000.0)
                .addKeyValue("bytes_in", call.bytesIn())
                .addKeyValue("bytes_out", call.bytesOut());
        if (call.key() != null) {
            b = b.addKeyValue("key", call.key());
        }
        if (call.trace() != null) {
            b = b.addKeyValue("trace_id", call.trace().traceId()).addKeyValue("replicas", call.trace().answered());
        }
        b.log("{} {} {}", call.method(), call.rawPath(), status);
    }

    public String nodeId() {
        return nodeId;
    }
}
