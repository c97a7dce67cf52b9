package dev.quorum.balancer;

import dev.quorum.agent.observe.AgentMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** The balancer's metrics (docs/metrics.md, "Balancer"): its own requests, and per backend. */
public final class BalancerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    final Counter requests = Counter.builder()
            .name("quorum_requests_total")
            .help("HTTP requests served, by operation and status code")
            .labelNames("op", "status")
            .register(registry);
    final Histogram requestDuration = Histogram.builder()
            .name("quorum_request_duration_seconds")
            .help("Time from request received to response sent, by operation")
            .labelNames("op")
            .classicOnly()
            .classicUpperBounds(AgentMetrics.LATENCY_BUCKETS)
            .register(registry);
    final Counter backendRequests = Counter.builder()
            .name("quorum_balancer_backend_requests_total")
            .help("Requests sent to a backend, by backend and the status it answered (0: no answer)")
            .labelNames("backend", "status")
            .register(registry);
    final Counter backendErrors = Counter.builder()
            .name("quorum_balancer_backend_errors_total")
            .help("Failed requests to a backend, by backend and reason (connect, timeout, io, status_5xx)")
            .labelNames("backend", "reason")
            .register(registry);
    final Histogram backendLatency = Histogram.builder()
            .name("quorum_balancer_backend_latency_seconds")
            .help("Upstream latency: from sending to a backend to its whole answer, by backend")
            .labelNames("backend")
            .classicOnly()
            .classicUpperBounds(AgentMetrics.LATENCY_BUCKETS)
            .register(registry);
    final Counter retries = Counter.builder()
            .name("quorum_balancer_retries_total")
            .help("GETs retried on another backend after the first failed, by the backend that failed")
            .labelNames("backend")
            .register(registry);
    final Counter ejections = Counter.builder()
            .name("quorum_balancer_ejections_total")
            .help("Times a backend was taken out of rotation by passive ejection (consecutive failures)")
            .labelNames("backend")
            .register(registry);
    final Counter healthChanges = Counter.builder()
            .name("quorum_balancer_health_changes_total")
            .help("Backend health transitions seen by the active checks, by backend and new state (up, down)")
            .labelNames("backend", "to")
            .register(registry);

    public BalancerMetrics(String id, List<Backend> backends) {
        Info.builder().name("quorum_node_info").help("Identity of this process").labelNames("node", "role", "version")
                .register(registry).addLabelValues(id, "balancer", version());
        JvmMetrics.builder().register(registry);
        GaugeWithCallback.builder().name("quorum_balancer_backend_up")
                .help("1 when a backend takes new requests (active, healthy, not ejected), else 0")
                .labelNames("backend")
                .callback(cb -> {
                    long now = System.nanoTime();
                    backends.forEach(b -> cb.call(b.available(now) ? 1 : 0, b.id()));
                }).register(registry);
        GaugeWithCallback.builder().name("quorum_balancer_backend_in_flight")
                .help("Requests in flight to a backend (its active connections' load)")
                .labelNames("backend")
                .callback(cb -> backends.forEach(b -> cb.call(b.inFlight(), b.id()))).register(registry);
    }

    // Label children looked up once (labelValues builds a key list on every call: this is per request).
    private final java.util.Map<String, io.prometheus.metrics.core.datapoints.DistributionDataPoint> latencies =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, java.util.Map<Integer, io.prometheus.metrics.core.datapoints.CounterDataPoint>>
            backendCounts = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, java.util.Map<String, io.prometheus.metrics.core.datapoints.CounterDataPoint>>
            counts = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, io.prometheus.metrics.core.datapoints.DistributionDataPoint> durations =
            new java.util.concurrent.ConcurrentHashMap<>();

    io.prometheus.metrics.core.datapoints.DistributionDataPoint latencyOf(String backend) {
        return latencies.computeIfAbsent(backend, b -> backendLatency.labelValues(b));
    }

    io.prometheus.metrics.core.datapoints.CounterDataPoint requestsOf(String backend, int status) {
        return backendCounts.computeIfAbsent(backend, b -> new java.util.concurrent.ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> backendRequests.labelValues(backend, Integer.toString(s)));
    }

    void observeRequest(String op, String status, double seconds) {
        counts.computeIfAbsent(op, o -> new java.util.concurrent.ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> requests.labelValues(op, s)).inc();
        durations.computeIfAbsent(op, o -> requestDuration.labelValues(o)).observe(seconds);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    private static String version() {
        String v = BalancerMetrics.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
