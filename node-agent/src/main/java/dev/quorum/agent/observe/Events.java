package dev.quorum.agent.observe;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Replication events: one structured log record each (logger {@code quorum.events}, field
 * {@code event}) and the matching metric. Field names are documented in docs/logs.md.
 */
public final class Events {
    private static final Logger log = LoggerFactory.getLogger("quorum.events");

    private final AgentMetrics metrics;

    public Events(AgentMetrics metrics) {
        this.metrics = metrics;
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    private static LoggingEventBuilder event(LoggingEventBuilder b, String event) {
        return b.addKeyValue("event", event);
    }

    public void hintStored(String target, String key, String holder, String traceId) {
        metrics.hintsStored.labelValues(target).inc();
        event(log.atInfo(), "hint_stored")
                .addKeyValue("target", target)
                .addKeyValue("key", key)
                .addKeyValue("holder", holder)
                .addKeyValue("trace_id", traceId)
                .log("write for {} kept as a hint on {}", target, holder);
    }

    public void hintsDelivered(String target, List<String> keys) {
        metrics.hintsDelivered.labelValues(target).inc(keys.size());
        event(log.atInfo(), "hint_delivered")
                .addKeyValue("target", target)
                .addKeyValue("count", keys.size())
                .addKeyValue("keys", keys.size() <= 20 ? keys : keys.subList(0, 20))
                .log("{} hints handed off to {}", keys.size(), target);
    }

    public void readRepair(String key, String node, String from, String to, String traceId) {
        metrics.readRepairs.inc();
        event(log.atInfo(), "read_repair")
                .addKeyValue("key", key)
                .addKeyValue("peer", node)
                .addKeyValue("from_version", from)
                .addKeyValue("to_version", to)
                .addKeyValue("trace_id", traceId)
                .log("read repair of {} on {}", key, node);
    }

    public void antiEntropyRepair(String peer, String key, String direction, String version) {
        metrics.antiEntropyRepairs.labelValues(direction).inc();
        event(log.atInfo(), "anti_entropy_repair")
                .addKeyValue("peer", peer)
                .addKeyValue("key", key)
                .addKeyValue("direction", direction)
                .addKeyValue("version", version)
                .log("anti-entropy {} of {} with {}", direction, key, peer);
    }

    public void antiEntropyRound(String peer, String result, int rangesCompared, int keysRepaired, long millis) {
        metrics.antiEntropyRounds.labelValues(result).inc();
        LoggingEventBuilder b = "in_sync".equals(result) ? log.atDebug() : log.atInfo();
        event(b, "anti_entropy_round")
                .addKeyValue("peer", peer)
                .addKeyValue("result", result)
                .addKeyValue("ranges", rangesCompared)
                .addKeyValue("repaired", keysRepaired)
                .addKeyValue("latency_ms", millis)
                .log("anti-entropy with {}: {}", peer, result);
    }

    public void quorumFailure(String op, String key, int needed, int acked, Map<String, String> failures, String traceId) {
        metrics.quorumFailures.labelValues(op).inc();
        event(log.atWarn(), "quorum_failure")
                .addKeyValue("op", op)
                .addKeyValue("key", key)
                .addKeyValue("needed", needed)
                .addKeyValue("acked", acked)
                .addKeyValue("failures", failures)
                .addKeyValue("trace_id", traceId)
                .log("{} of {} failed: {} of {} replicas answered", op, key, acked, needed);
    }

    public void peerState(String peer, boolean up, String reason) {
        metrics.peerUp.labelValues(peer).set(up ? 1 : 0);
        event(up ? log.atInfo() : log.atWarn(), up ? "peer_up" : "peer_down")
                .addKeyValue("peer", peer)
                .addKeyValue("reason", reason)
                .log("peer {} is {}{}", peer, up ? "up" : "down", reason == null ? "" : " (" + reason + ")");
    }

    public void tombstonesPurged(int count, long olderThanMillis) {
        metrics.tombstonesPurged.inc(count);
        if (count > 0) {
            event(log.atInfo(), "tombstones_purged")
                    .addKeyValue("count", count)
                    .addKeyValue("older_than_ms", olderThanMillis)
                    .log("{} tombstones purged", count);
        }
    }

    /** A record as the API spells it (snake_case), for log fields. */
    public static Object asMap(Object value) {
        return dev.quorum.client.Json.MAPPER.convertValue(value, java.util.Map.class);
    }

    public void configChanged(Object config, String source) {
        event(log.atInfo(), "config_changed")
                .addKeyValue("config", asMap(config))
                .addKeyValue("source", source)
                .log("configuration changed ({})", source);
    }
}
