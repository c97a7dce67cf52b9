package dev.quorum.agent.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every metric an agent exposes on {@code /metrics}, in one place (documented in docs/metrics.md).
 * Histograms are classic ones with explicit buckets, so they can be summed across nodes.
 */
public final class AgentMetrics {
    /** Seconds; from 100 µs to 10 s. Shared with the balancer's metrics. */
    public static final double[] LATENCY_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public final Counter requests = Counter.builder()
            .name("quorum_requests_total")
            .help("HTTP requests served, by operation and status code")
            .labelNames("op", "status")
            .register(registry);
    public final Histogram requestDuration = Histogram.builder()
            .name("quorum_request_duration_seconds")
            .help("Time from request received to response sent, by operation")
            .labelNames("op")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    public final Histogram replicaCallDuration = Histogram.builder()
            .name("quorum_replica_call_duration_seconds")
            .help("Latency of replica operations as the coordinator sees them, by peer and operation")
            .labelNames("peer", "op")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    public final Counter replicaCallFailures = Counter.builder()
            .name("quorum_replica_call_failures_total")
            .help("Replica operations that failed, by peer and reason (connect, timeout, http, protocol, overloaded, replica_error, other)")
            .labelNames("peer", "reason")
            .register(registry);
    public final Counter quorumFailures = Counter.builder()
            .name("quorum_quorum_failures_total")
            .help("Client requests answered 503 because too few replicas answered, by operation")
            .labelNames("op")
            .register(registry);
    public final Counter readRepairs = Counter.builder()
            .name("quorum_read_repairs_total")
            .help("Stale replicas sent the newest version after a read")
            .register(registry);
    public final Counter hintsStored = Counter.builder()
            .name("quorum_hints_stored_total")
            .help("Writes kept on this node for a replica that could not take them, by intended replica")
            .labelNames("target")
            .register(registry);
    public final Counter hintsDelivered = Counter.builder()
            .name("quorum_hints_delivered_total")
            .help("Hints handed off to their replica, by replica")
            .labelNames("target")
            .register(registry);
    public final Counter antiEntropyRounds = Counter.builder()
            .name("quorum_anti_entropy_rounds_total")
            .help("Anti-entropy comparisons with a peer, by result (in_sync, repaired, failed)")
            .labelNames("result")
            .register(registry);
    public final Counter antiEntropyRepairs = Counter.builder()
            .name("quorum_anti_entropy_repairs_total")
            .help("Records copied by anti-entropy, by direction (push: to the peer, pull: from the peer)")
            .labelNames("direction")
            .register(registry);
    public final Counter tombstonesPurged = Counter.builder()
            .name("quorum_tombstones_purged_total")
            .help("Tombstones removed after their grace period")
            .register(registry);
    public final Gauge peerUp = Gauge.builder()
            .name("quorum_peer_up")
            .help("1 when this node's failure detector sees the peer as up, else 0")
            .labelNames("peer")
            .register(registry);
    public final Histogram commitSize = Histogram.builder()
            .name("quorum_store_commit_writes")
            .help("Writes per SQLite transaction (group commit)")
            .classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
            .register(registry);
    public final Histogram commitDuration = Histogram.builder()
            .name("quorum_store_commit_duration_seconds")
            .help("Time to run and fsync one SQLite transaction")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);

    public final Counter faultDrops = Counter.builder()
            .name("quorum_fault_drops_total")
            .help("Calls lost by injected faults (partition, drop, pause), by direction")
            .labelNames("direction")
            .register(registry);
    public final Counter faultDelay = Counter.builder()
            .name("quorum_fault_delay_seconds_total")
            .help("Delay added to calls by injected latency, by direction")
            .labelNames("direction")
            .register(registry);

    /** One answered request: counted by op and status, timed by op. */
    public void observeRequest(String op, String status, double seconds) {
        requests.labelValues(op, status).inc();
        requestDuration.labelValues(op).observe(seconds);
    }

    public AgentMetrics(String nodeId, String role) {
        Info.builder()
                .name("quorum_node_info")
                .help("Identity of this process")
                .labelNames("node", "role", "version")
                .register(registry)
                .addLabelValues(nodeId, role, buildVersion());
        JvmMetrics.builder().register(registry);
    }

    /** Gauges read on each scrape; the suppliers must be cheap (cached values, not queries). */
    public void registerStoreGauges(LongSupplier keys, LongSupplier sizeBytes, Supplier<Map<String, Long>> hintsPending) {
        GaugeWithCallback.builder()
                .name("quorum_keys")
                .help("Live keys held by this replica (tombstones excluded); refreshed every few seconds")
                .callback(cb -> cb.call(keys.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("quorum_store_size_bytes")
                .help("Size of the SQLite database and its write-ahead log")
                .callback(cb -> cb.call(sizeBytes.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("quorum_hints_pending")
                .help("Hints held on this node awaiting hand-off, by intended replica")
                .labelNames("target")
                .callback(cb -> hintsPending.get().forEach((t, n) -> cb.call(n, t)))
                .register(registry);
    }

    /** Gauges of fault injection: active rules, and 1 while the agent is paused. */
    public void registerFaultGauges(LongSupplier rules, LongSupplier paused) {
        GaugeWithCallback.builder().name("quorum_faults_active").help("Injected fault rules active on this agent")
                .callback(cb -> cb.call(rules.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("quorum_paused").help("1 while this agent is paused by fault injection")
                .callback(cb -> cb.call(paused.getAsLong())).register(registry);
    }

    /** Gauges of the causal model: shipped writes waiting here for dependencies, own writes not yet everywhere. */
    public void registerCausalGauges(LongSupplier waiting, LongSupplier unshipped) {
        GaugeWithCallback.builder().name("quorum_causal_waiting_writes")
                .help("Causal writes from other nodes received but waiting for their dependencies")
                .callback(cb -> cb.call(waiting.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("quorum_causal_unshipped_writes")
                .help("Causal writes of this node not yet applied by every peer")
                .callback(cb -> cb.call(unshipped.getAsLong())).register(registry);
    }

    /**
     * Replication lag of each peer behind this node's write log (the primary's view in the
     * primary-replica topology; in causal mode, how far each peer is behind this node's causal writes).
     *
     * @param lag per peer: {entries, seconds}; computed on each scrape (a point read per lagging peer)
     */
    public void registerReplicationLag(Supplier<Map<String, double[]>> lag) {
        GaugeWithCallback.builder().name("quorum_replication_lag_entries")
                .help("Writes of this node's log a replica has not applied yet, by replica")
                .labelNames("replica")
                .callback(cb -> lag.get().forEach((peer, v) -> cb.call(v[0], peer))).register(registry);
        GaugeWithCallback.builder().name("quorum_replication_lag_seconds")
                .help("Age of the oldest write of this node's log a replica has not applied (0 when caught up)")
                .labelNames("replica")
                .callback(cb -> lag.get().forEach((peer, v) -> cb.call(v[1], peer))).register(registry);
    }

    /** Registers gauges of the live configuration. */
    public void registerConfigGauges(LongSupplier n, LongSupplier r, LongSupplier w) {
        GaugeWithCallback.builder().name("quorum_config_n").help("Replication factor N")
                .callback(cb -> cb.call(n.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("quorum_config_r").help("Read quorum R")
                .callback(cb -> cb.call(r.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("quorum_config_w").help("Write quorum W")
                .callback(cb -> cb.call(w.getAsLong())).register(registry);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The build's version, from the jar manifest when there is one. */
    static String buildVersion() {
        String v = AgentMetrics.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
