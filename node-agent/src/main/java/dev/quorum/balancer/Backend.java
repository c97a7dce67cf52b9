package dev.quorum.balancer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;

/**
 * One agent behind the balancer: its address and settings (weight, backup, admin state), what the
 * health checks say, passive ejection after consecutive failures, and live load (requests in
 * flight, a moving average of latency).
 */
public final class Backend {
    /** What the operator decided: serve, drain (finish what is in flight, take nothing new), or maintenance (out, unchecked). */
    public enum AdminState {
        ACTIVE, DRAIN, MAINTENANCE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static AdminState parse(String s) {
            for (AdminState a : values()) {
                if (a.wireName().equals(s)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("state must be active, drain or maintenance, got '" + s + "'");
        }
    }

    private final String id;
    private final HttpUrl url;
    private volatile int weight;
    private volatile boolean backup;
    private volatile AdminState state = AdminState.ACTIVE;

    // Active health checks (written by the checker thread only).
    private volatile boolean healthy = true;
    private volatile String downReason;
    private int okInARow;
    private int failedInARow;

    // Passive ejection.
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile long ejectedUntilNanos;
    private final AtomicLong ejections = new AtomicLong();

    // What the backend's /health said of the topology (primary-replica: who the primary is, how far this backend has applied its log).
    private volatile String topology;
    private volatile String primary;
    private volatile long position;
    private volatile long configVersion = -1;

    void reported(String topology, String primary, Long position, long configVersion) {
        this.topology = topology;
        this.primary = primary;
        this.position = position == null ? 0 : position;
        this.configVersion = configVersion;
    }

    public String topology() {
        return topology;
    }

    public String primary() {
        return primary;
    }

    public long position() {
        return position;
    }

    public long configVersion() {
        return configVersion;
    }

    // Load.
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Exponentially weighted moving average of upstream latency, in microseconds (0 = no sample yet). */
    private volatile double ewmaMicros;

    public Backend(String id, HttpUrl url, int weight, boolean backup) {
        this.id = id;
        this.url = url;
        this.weight = weight;
        this.backup = backup;
    }

    public String id() {
        return id;
    }

    public HttpUrl url() {
        return url;
    }

    public int weight() {
        return weight;
    }

    public void weight(int w) {
        this.weight = w;
    }

    public boolean backup() {
        return backup;
    }

    public void backup(boolean b) {
        this.backup = b;
    }

    public AdminState state() {
        return state;
    }

    public void state(AdminState s) {
        this.state = s;
    }

    public boolean healthy() {
        return healthy;
    }

    public boolean ejected(long nowNanos) {
        return nowNanos - ejectedUntilNanos < 0;
    }

    /** Whether new requests may go here now. */
    public boolean available(long nowNanos) {
        return state == AdminState.ACTIVE && healthy && !ejected(nowNanos);
    }

    public int inFlight() {
        return inFlight.get();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    /**
     * A request finished: its latency feeds the moving average; a failure counts towards passive
     * ejection. Returns true when this failure ejected the backend.
     */
    boolean finished(long micros, boolean failed, int ejectAfter, long coolDownNanos, long nowNanos) {
        inFlight.decrementAndGet();
        if (!failed) {
            failuresInARow.set(0);
            double prev = ewmaMicros;
            ewmaMicros = prev == 0 ? micros : prev * 0.9 + micros * 0.1;
            return false;
        }
        if (failuresInARow.incrementAndGet() >= ejectAfter && !ejected(nowNanos)) {
            synchronized (this) {
                if (!ejected(nowNanos)) {
                    ejectedUntilNanos = nowNanos + coolDownNanos;
                    failuresInARow.set(0);
                    ejections.incrementAndGet();
                    return true;
                }
            }
        }
        return false;
    }

    public double ewmaMillis() {
        return ewmaMicros / 1000.0;
    }

    public long ejections() {
        return ejections.get();
    }

    /** One active health check's result; returns true when the backend's health changed. */
    boolean checked(boolean ok, String reason, int rise, int fall) {
        if (ok) {
            failedInARow = 0;
            okInARow++;
            if (!healthy && okInARow >= rise) {
                healthy = true;
                downReason = null;
                return true;
            }
        } else {
            okInARow = 0;
            failedInARow++;
            if (healthy && failedInARow >= fall) {
                healthy = false;
                downReason = reason;
                return true;
            }
            if (!healthy) {
                downReason = reason;
            }
        }
        return false;
    }

    /** For /admin/status. */
    Map<String, Object> status(long nowNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("url", url.toString());
        m.put("state", state.wireName());
        m.put("weight", weight);
        m.put("backup", backup);
        m.put("healthy", healthy);
        if (downReason != null) {
            m.put("down_reason", downReason);
        }
        m.put("ejected", ejected(nowNanos));
        if (ejected(nowNanos)) {
            m.put("ejected_for_ms", (ejectedUntilNanos - nowNanos) / 1_000_000);
        }
        m.put("ejections", ejections.get());
        m.put("available", available(nowNanos));
        m.put("in_flight", inFlight.get());
        m.put("latency_ewma_ms", Math.round(ewmaMillis() * 1000) / 1000.0);
        if ("primary-replica".equals(topology)) {
            m.put("primary", primary);
            m.put("position", position);
        }
        return m;
    }
}
