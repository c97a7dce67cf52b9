package dev.quorum.balancer;

import dev.quorum.agent.replication.Ring;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backends and the live strategy. A request goes to an available primary backend (not backup)
 * chosen by the strategy; backups only when no primary is available.
 */
public final class BackendPool {
    private final Map<String, Backend> backends = new LinkedHashMap<>();
    private final Strategy.Picker picker;
    private volatile Strategy strategy;

    public BackendPool(List<Backend> list, Strategy strategy) {
        for (Backend b : list) {
            if (backends.put(b.id(), b) != null) {
                throw new IllegalArgumentException("backend id '" + b.id() + "' given twice");
            }
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("--backends needs at least one backend");
        }
        this.picker = new Strategy.Picker(new Ring(List.copyOf(backends.keySet()), Ring.DEFAULT_VNODES));
        this.strategy = strategy;
    }

    public Strategy strategy() {
        return strategy;
    }

    public void strategy(Strategy s) {
        this.strategy = s;
    }

    public Collection<Backend> all() {
        return backends.values();
    }

    public List<Backend> list() {
        return List.copyOf(backends.values());
    }

    public Backend get(String id) {
        return backends.get(id);
    }

    /** The primary, when the backends report the primary-replica topology (the newest configuration wins); else null. */
    public Backend primary() {
        Backend newest = null;
        for (Backend b : backends.values()) {
            if (b.configVersion() >= 0 && (newest == null || b.configVersion() > newest.configVersion())) {
                newest = b;
            }
        }
        if (newest == null || !"primary-replica".equals(newest.topology()) || newest.primary() == null) {
            return null;
        }
        return backends.get(newest.primary());
    }

    /**
     * Primary-replica topology: writes to the primary; reads to a replica that is at most
     * {@code maxLag} entries behind the primary's log and has applied {@code minPosition} (chosen by
     * the strategy), else to the primary. Returns null when nothing fits.
     *
     * @param primary from {@link #primary()}
     */
    public Backend chooseSplit(Backend primary, boolean write, String key, Backend exclude, long minPosition,
            long maxLag) {
        long now = System.nanoTime();
        if (write) {
            return primary != exclude && primary.available(now) ? primary : null;
        }
        long head = primary.position();
        List<Backend> replicas = new ArrayList<>();
        for (Backend b : backends.values()) {
            if (b != primary && b != exclude && b.available(now) && head - b.position() <= maxLag
                    && b.position() >= minPosition) {
                replicas.add(b);
            }
        }
        if (!replicas.isEmpty()) {
            return picker.pick(strategy, replicas, key);
        }
        return primary != exclude && primary.available(now) ? primary : null;
    }

    /**
     * The backend for a request, or null when none is available.
     *
     * @param key the key of a /kv/{key} request (consistent hashing), or null
     * @param exclude a backend already tried by this request, or null
     */
    public Backend choose(String key, Backend exclude) {
        long now = System.nanoTime();
        List<Backend> primaries = new ArrayList<>(backends.size());
        List<Backend> backups = new ArrayList<>(0);
        for (Backend b : backends.values()) {
            if (b != exclude && b.available(now)) {
                (b.backup() ? backups : primaries).add(b);
            }
        }
        List<Backend> from = primaries.isEmpty() ? backups : primaries;
        return from.isEmpty() ? null : picker.pick(strategy, from, key);
    }
}
