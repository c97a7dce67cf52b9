package dev.quorum.balancer;

import dev.quorum.agent.http.Auth;
import dev.quorum.agent.http.HttpApi;
import dev.quorum.agent.replication.Membership;
import dev.quorum.common.Threads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer role of the agent jar: one HTTP front (the agent's Netty server) proxying the data
 * plane to agents by a live-switchable strategy, with active health checks and passive ejection.
 * See docs/balancing.md.
 *
 * <h2>Threads</h2>
 * {@code http-io} event loops receive requests, and also run the upstream connections to the agents
 * (Netty client channels, never waiting); {@code http-N} serves /metrics and the admin endpoints;
 * {@code balancer-health} starts the health checks, whose answers arrive on {@code health-http-N}.
 */
public final class Balancer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("quorum.balancer");

    /** What the command line gives. */
    public record Settings(String id, String bind, int port, String backends, Map<String, Integer> weights,
            Set<String> backups, Strategy strategy, String token, BalancerConfig config, long maxBodyBytes,
            int httpThreads, int drainSeconds, long requestReadTimeoutMs) {}

    private final Settings settings;
    private final BackendPool pool;
    private Forwarder forwarder;
    /** For the health checks only (a few requests a second): OkHttp, asynchronous. */
    private final okhttp3.OkHttpClient healthClient = new okhttp3.OkHttpClient.Builder()
            .dispatcher(new okhttp3.Dispatcher(Threads.cached("health-http")))
            .retryOnConnectionFailure(false)
            .connectTimeout(java.time.Duration.ofSeconds(1))
            .build();
    private final HttpApi http;
    private final ScheduledExecutorService health = Threads.scheduler("balancer-health");
    private final HealthChecker checker;

    private Forwarder forwarder() {
        return forwarder;
    }

    private Balancer(Settings s) {
        this.settings = s;
        Map<String, HttpUrl> members = Membership.parseMembers(s.backends());
        for (String id : s.weights().keySet()) {
            if (!members.containsKey(id)) {
                throw new IllegalArgumentException("--weights names '" + id + "', which is not in --backends");
            }
        }
        for (String id : s.backups()) {
            if (!members.containsKey(id)) {
                throw new IllegalArgumentException("--backups names '" + id + "', which is not in --backends");
            }
        }
        List<Backend> list = new ArrayList<>();
        members.forEach((id, url) -> list.add(new Backend(id, url, s.weights().getOrDefault(id, 1),
                s.backups().contains(id))));
        List<String> problems = s.config().problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.pool = new BackendPool(list, s.strategy());
        AtomicReference<BalancerConfig> config = new AtomicReference<>(s.config());
        BalancerMetrics metrics = new BalancerMetrics(s.id(), pool.list());
        this.checker = new HealthChecker(pool, healthClient, config::get, metrics);
        BalancerHandler h = new BalancerHandler(s.id(), pool, this::forwarder, metrics, config, s.maxBodyBytes());
        this.http = new HttpApi(new Auth(s.token()), metrics::observeRequest, s.id(),
                path -> path.startsWith("/kv/") ? s.maxBodyBytes() : 64 * 1024, s.requestReadTimeoutMs())
                .inlineRoute("/kv/", h::key)
                .inlineRoute("/kv", h::list)
                .inlineRoute("/health", h::health)
                .route("/metrics", h::metrics)
                .authenticatedRoute("/admin/status", h::status)
                .authenticatedRoute("/admin/config", h::config)
                .authenticatedRoute("/admin/backends/", h::backend);
    }

    public static Balancer start(Settings s) throws IOException {
        Balancer b = new Balancer(s);
        try {
            b.http.start(s.bind(), s.port(), s.httpThreads());
            b.forwarder = new Forwarder(b.http.eventLoops());
            b.checker.start(b.health);
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
        log.atInfo().addKeyValue("event", "started").addKeyValue("port", b.http.port())
                .addKeyValue("strategy", s.strategy().wireName())
                .addKeyValue("backends", b.pool.all().stream().map(Backend::id).toList())
                .log("balancer {} serving on {}:{}", s.id(), s.bind(), b.http.port());
        return b;
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        http.stop(settings.drainSeconds());
        Threads.shutdown(health, 2_000);
        if (forwarder != null) {
            forwarder.close();
        }
        healthClient.dispatcher().cancelAll();
        Threads.shutdown(healthClient.dispatcher().executorService(), 2_000);
        healthClient.connectionPool().evictAll();
        log.atInfo().addKeyValue("event", "stopped").log("balancer {} stopped", settings.id());
    }
}
