package dev.quorum.agent.config;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.config.ConfigPatch;
import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.observe.Events;
import dev.quorum.agent.store.SqliteStore;
import dev.quorum.client.Json;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The agent's live {@link ClusterConfig}. Flags give the initial value (version 0); a change made
 * through {@code PUT /admin/config} gets a hybrid-clock version, is persisted in the store's meta
 * table and so survives restarts; a cluster-wide change also spreads to peers (a node-only one keeps
 * the version and stays here). Agents converge on the highest version.
 */
public final class LiveConfig implements Supplier<ClusterConfig> {
    private static final Logger log = LoggerFactory.getLogger(LiveConfig.class);
    static final String META_KEY = "cluster_config";

    private final AtomicReference<ClusterConfig> current;
    private final int clusterSize;
    private final java.util.Set<String> members;
    private final SqliteStore store;
    private final HybridClock clock;
    private final Events events;
    private final List<Consumer<ClusterConfig>> listeners = new CopyOnWriteArrayList<>();

    public LiveConfig(ClusterConfig initial, java.util.Set<String> members, SqliteStore store, HybridClock clock,
            Events events) {
        this.members = java.util.Set.copyOf(members);
        this.clusterSize = members.size();
        this.store = store;
        this.clock = clock;
        this.events = events;
        ClusterConfig start = initial;
        var persisted = store.meta(META_KEY);
        if (persisted.isPresent()) {
            try {
                ClusterConfig saved = Json.MAPPER.readValue(persisted.get(), ClusterConfig.class);
                if (saved.problems(members).isEmpty()) {
                    log.info("using the configuration changed live (version {}) over the command-line flags: {}",
                            saved.version(), saved);
                    start = saved;
                } else {
                    log.warn("ignoring the persisted configuration, invalid for {} nodes: {}", clusterSize,
                            saved.problems(members));
                }
            } catch (JacksonException e) {
                log.warn("ignoring unreadable persisted configuration: {}", e.getOriginalMessage());
            }
        }
        this.current = new AtomicReference<>(start);
    }

    /** Every reason {@code c} cannot run on this cluster; empty when valid. */
    public List<String> problems(ClusterConfig c) {
        return c.problems(members);
    }

    @Override
    public ClusterConfig get() {
        return current.get();
    }

    public void onChange(Consumer<ClusterConfig> listener) {
        listeners.add(listener);
    }

    /**
     * Applies an operator's change. A cluster-wide change gets a new, higher version, which peers
     * adopt; a node-only change keeps the current version, so peers neither pull it nor are told,
     * and the next cluster-wide change replaces it.
     *
     * @throws IllegalArgumentException listing every problem; nothing changes then
     */
    public synchronized ClusterConfig update(ConfigPatch patch, boolean clusterWide) {
        ClusterConfig next = current.get().apply(patch);
        List<String> problems = next.problems(members);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (clusterWide) {
            next = next.withVersion(clock.now());
        }
        install(next, clusterWide ? "admin" : "admin, this node only");
        return next;
    }

    /** Takes a peer's configuration when it is newer and valid here; returns whether it was taken. */
    public synchronized boolean adopt(ClusterConfig remote, String source) {
        if (remote.version() <= current.get().version()) {
            return false;
        }
        List<String> problems = remote.problems(members);
        if (!problems.isEmpty()) {
            log.warn("refusing configuration version {} from {}: {}", remote.version(), source, problems);
            return false;
        }
        clock.observe(remote.version());
        install(remote, source);
        return true;
    }

    private synchronized void install(ClusterConfig next, String source) {
        store.putMeta(META_KEY, Json.MAPPER.writeValueAsString(next)).join();
        current.set(next);
        events.configChanged(next, source);
        for (Consumer<ClusterConfig> l : listeners) {
            l.accept(next);
        }
    }
}
