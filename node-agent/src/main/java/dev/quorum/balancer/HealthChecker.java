package dev.quorum.balancer;

import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: {@code GET /health} on every backend not in maintenance, every interval;
 * {@code rise} good answers in a row bring a backend up, {@code fall} failures take it down.
 */
final class HealthChecker {
    private static final Logger log = LoggerFactory.getLogger("quorum.balancer");

    private final BackendPool pool;
    private final OkHttpClient client;
    private final Supplier<BalancerConfig> config;
    private final BalancerMetrics metrics;

    HealthChecker(BackendPool pool, OkHttpClient client, Supplier<BalancerConfig> config, BalancerMetrics metrics) {
        this.pool = pool;
        this.client = client;
        this.config = config;
        this.metrics = metrics;
    }

    /** Checks every backend each tick whose interval has passed (re-read live, so a change applies at once). */
    void start(ScheduledExecutorService ses) {
        long[] last = {0};
        ses.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            if (now - last[0] >= TimeUnit.MILLISECONDS.toNanos(config.get().healthIntervalMs())) {
                last[0] = now;
                checkAll();
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
    }

    void checkAll() {
        BalancerConfig cfg = config.get();
        OkHttpClient timed = client.newBuilder().callTimeout(cfg.healthTimeoutMs(), TimeUnit.MILLISECONDS).build();
        for (Backend b : pool.all()) {
            if (b.state() == Backend.AdminState.MAINTENANCE) {
                continue;
            }
            Request req = new Request.Builder().url(b.url().newBuilder().encodedPath("/health").build()).get().build();
            timed.newCall(req).enqueue(new Callback() {
                @Override
                public void onFailure(Call call, IOException e) {
                    result(b, false, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), cfg);
                }

                @Override
                public void onResponse(Call call, Response response) {
                    try (response) {
                        boolean ok = response.code() == 200;
                        if (ok) {
                            try {
                                var h = dev.quorum.client.Json.MAPPER.readValue(response.body().bytes(),
                                        dev.quorum.client.wire.HealthReport.class);
                                b.reported(h.topology(), h.primary(), h.position(), h.configVersion());
                            } catch (IOException | RuntimeException e) {
                                // An older agent or another service: no topology information.
                                b.reported(null, null, null, -1);
                            }
                        }
                        result(b, ok, "health answered " + response.code(), cfg);
                    }
                }
            });
        }
    }

    private void result(Backend b, boolean ok, String reason, BalancerConfig cfg) {
        boolean changed;
        synchronized (b) {
            changed = b.checked(ok, reason, cfg.rise(), cfg.fall());
        }
        if (changed) {
            String to = b.healthy() ? "up" : "down";
            metrics.healthChanges.labelValues(b.id(), to).inc();
            var e = b.healthy() ? log.atInfo() : log.atWarn();
            e.addKeyValue("event", "backend_" + to).addKeyValue("backend", b.id())
                    .addKeyValue("reason", b.healthy() ? null : reason)
                    .log("backend {} is {}{}", b.id(), to, b.healthy() ? "" : ": " + reason);
        }
    }
}
