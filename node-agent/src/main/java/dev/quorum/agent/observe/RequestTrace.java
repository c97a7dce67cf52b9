package dev.quorum.agent.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What happened to one client request across the replicas: who was asked, in what role, what each
 * answered and how fast, and which repairs followed. Always collected (it feeds the access log's
 * {@code replicas} field); returned to the client only when asked for with {@code trace}.
 * Thread-safe: replica answers arrive on callback threads.
 */
public final class RequestTrace {

    /** One replica's part. {@code role}: replica, stand-in (holds a hint for {@code hintFor}) or local-hint. */
    public record Step(String node, String role, String hintFor, String status, String version, double latencyMs,
            String error) {}

    public record Repair(String node, String fromVersion, String toVersion) {}

    private final String traceId;
    private final String coordinator;
    private final String op;
    private final String key;
    private final boolean requested;
    private final long startNanos = System.nanoTime();
    private final List<Step> steps = new ArrayList<>(4);
    private final List<Repair> repairs = new ArrayList<>(0);
    private List<String> preferenceList = List.of();
    private Map<String, Integer> quorum = new LinkedHashMap<>();
    private String consistency;

    public RequestTrace(String traceId, String coordinator, String op, String key, boolean requested) {
        this.traceId = traceId;
        this.coordinator = coordinator;
        this.op = op;
        this.key = key;
        this.requested = requested;
    }

    /** A new random 64-bit trace id in hex. */
    public static String newId() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }

    public String traceId() {
        return traceId;
    }

    /** Whether the client asked to see the trace (replicas then also log their part). */
    public boolean requested() {
        return requested;
    }

    public synchronized void plan(List<String> preferenceList, Map<String, Integer> quorum, String consistency) {
        this.preferenceList = List.copyOf(preferenceList);
        this.quorum = new LinkedHashMap<>(quorum);
        this.consistency = consistency;
    }

    public double elapsedMs() {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    public synchronized void step(Step s) {
        steps.add(s);
    }

    public synchronized void repair(Repair r) {
        repairs.add(r);
    }

    public synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    /** Nodes that answered successfully, in answer order (the access log's {@code replicas}). */
    public synchronized List<String> answered() {
        List<String> out = new ArrayList<>(steps.size());
        for (Step s : steps) {
            if (!"failed".equals(s.status()) && !"skipped".equals(s.status())) {
                out.add(s.node());
            }
        }
        return out;
    }

    /** The JSON form returned in the {@code X-Quorum-Trace} header and in error bodies. */
    public synchronized Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trace_id", traceId);
        m.put("coordinator", coordinator);
        m.put("op", op);
        if (key != null) {
            m.put("key", key);
        }
        if (consistency != null) {
            m.put("consistency", consistency);
        }
        m.putAll(quorum);
        m.put("preference_list", preferenceList);
        List<Map<String, Object>> replicaMaps = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("node", s.node());
            r.put("role", s.role());
            if (s.hintFor() != null) {
                r.put("hint_for", s.hintFor());
            }
            r.put("status", s.status());
            if (s.version() != null) {
                r.put("version", s.version());
            }
            r.put("latency_ms", Math.round(s.latencyMs() * 1000) / 1000.0);
            if (s.error() != null) {
                r.put("error", s.error());
            }
            replicaMaps.add(r);
        }
        m.put("replicas", replicaMaps);
        List<Map<String, Object>> repairMaps = new ArrayList<>();
        for (Repair r : repairs) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("node", r.node());
            rm.put("from_version", r.fromVersion());
            rm.put("to_version", r.toVersion());
            repairMaps.add(rm);
        }
        m.put("repairs", repairMaps);
        m.put("latency_ms", Math.round(elapsedMs() * 1000) / 1000.0);
        return m;
    }
}
