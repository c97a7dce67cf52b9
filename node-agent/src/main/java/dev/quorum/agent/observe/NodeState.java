package dev.quorum.agent.observe;

import dev.quorum.agent.config.LiveConfig;
import dev.quorum.agent.replication.Membership;
import dev.quorum.agent.replication.Peer;
import dev.quorum.agent.store.SqliteStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node knows about itself, for {@code /health}, {@code /admin/status} and the store
 * gauges. Counting keys is a table scan, so counts are refreshed every few seconds by the
 * {@code maintenance} scheduler ({@link #refresh}) and read from here.
 */
public final class NodeState {
    private final String id;
    private final String role;
    private final Clock wall;
    private final long startedMillis;
    private final Membership membership;
    private final SqliteStore store;
    private final LiveConfig config;
    private volatile java.util.function.Supplier<Object> faults = () -> null;
    private volatile java.util.function.Supplier<Object> causal;
    private volatile boolean ready;
    private volatile long keys;
    private volatile long sizeBytes;
    private volatile Map<String, Long> hintsPending = Map.of();

    public NodeState(String id, String role, Clock wall, Membership membership, SqliteStore store, LiveConfig config) {
        this.id = id;
        this.role = role;
        this.wall = wall;
        this.startedMillis = wall.millis();
        this.membership = membership;
        this.store = store;
        this.config = config;
    }

    public String id() {
        return id;
    }

    /** A digest of every record held here, computed now (a full scan): for /admin/digest. */
    public Map<String, Object> digest() {
        long t0 = System.nanoTime();
        dev.quorum.agent.store.RowDigest d = store.digest(Long.MIN_VALUE, Long.MAX_VALUE);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("node", id);
        m.put("records", d.count());
        m.put("digest", String.format("%016x", d.value()));
        m.put("scan_ms", (System.nanoTime() - t0) / 1_000_000);
        return m;
    }

    private volatile java.util.function.ToLongFunction<String> position = origin -> 0;

    /** How far this node has applied a node's write log (the primary's, in the primary-replica topology). */
    public void position(java.util.function.ToLongFunction<String> p) {
        this.position = p;
    }

    public long position(String origin) {
        return position.applyAsLong(origin);
    }

    /** What /admin/status shows under "causal" (applied vector, writes waiting, shipping). */
    public void causal(java.util.function.Supplier<Object> c) {
        this.causal = c;
    }

    /** What /admin/status shows under "faults" (the active fault set, when fault injection is on). */
    public void faults(java.util.function.Supplier<Object> f) {
        this.faults = f;
    }

    public boolean ready() {
        return ready;
    }

    public void ready(boolean r) {
        ready = r;
    }

    public long uptimeMillis() {
        return wall.millis() - startedMillis;
    }

    public long keys() {
        return keys;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public Map<String, Long> hintsPending() {
        return hintsPending;
    }

    public void refresh() {
        keys = store.keyCount();
        sizeBytes = store.sizeBytes();
        hintsPending = store.hintCounts();
    }

    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("role", role);
        m.put("address", membership.selfUrl().toString());
        m.put("ready", ready);
        m.put("uptime_ms", uptimeMillis());
        m.put("pid", ProcessHandle.current().pid());
        m.put("keys", keys);
        m.put("store_bytes", sizeBytes);
        m.put("data_file", store.file().toString());
        m.put("hints_pending", hintsPending);
        m.put("hints_pending_total", hintsPending.values().stream().mapToLong(Long::longValue).sum());
        m.put("config", config.get());
        if (causal != null) {
            m.put("causal", causal.get());
        }
        Object f = faults.get();
        if (f != null) {
            m.put("faults", f);
        }
        Map<String, Object> ring = new LinkedHashMap<>();
        ring.put("nodes", membership.ring().nodes());
        ring.put("vnodes_per_node", dev.quorum.agent.replication.Ring.DEFAULT_VNODES);
        m.put("ring", ring);
        List<Map<String, Object>> peers = new ArrayList<>();
        for (Peer p : membership.peers()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("id", p.id());
            pm.put("url", p.url().toString());
            pm.put("up", p.up());
            if (p.downReason() != null) {
                pm.put("down_reason", p.downReason());
            }
            pm.put("last_seen_ms_ago", p.lastSeenMillis() == 0 ? null : wall.millis() - p.lastSeenMillis());
            pm.put("queued_ops", p.queuedOps());
            peers.add(pm);
        }
        m.put("peers", peers);
        Runtime rt = Runtime.getRuntime();
        m.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        m.put("heap_max_bytes", rt.maxMemory());
        return m;
    }
}
