package dev.quorum.agent;

import dev.quorum.agent.causal.CausalCoordinator;
import dev.quorum.agent.causal.CausalOps;
import dev.quorum.agent.causal.CausalReplica;
import dev.quorum.agent.causal.CausalShipper;
import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.Consistency;
import dev.quorum.agent.config.ConfigSync;
import dev.quorum.agent.config.LiveConfig;
import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.http.Auth;
import dev.quorum.agent.fault.FaultInjector;
import dev.quorum.agent.fault.FaultInterceptor;
import dev.quorum.agent.http.ControlHandler;
import dev.quorum.agent.http.FaultsHandler;
import dev.quorum.agent.http.DataHandler;
import dev.quorum.agent.http.HttpApi;
import dev.quorum.agent.http.InternalHandler;
import dev.quorum.agent.observe.AgentMetrics;
import dev.quorum.agent.observe.Events;
import dev.quorum.agent.observe.NodeState;
import dev.quorum.agent.replication.AntiEntropy;
import dev.quorum.agent.replication.Coordinator;
import dev.quorum.agent.replication.HintedHandoff;
import dev.quorum.agent.replication.LocalReplica;
import dev.quorum.agent.replication.Membership;
import dev.quorum.agent.replication.Replicas;
import dev.quorum.agent.replication.Ring;
import dev.quorum.agent.store.SqliteStore;
import dev.quorum.client.PeerClient;
import dev.quorum.common.Threads;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of an agent process: builds every component from the settings, starts
 * them in order, and stops them in reverse.
 *
 * <h2>Threads (see docs/architecture.md)</h2>
 * <ul>
 *   <li>{@code http-N}: request handlers (bounded pool); block while replicas answer</li>
 *   <li>{@code store-writer}: the only SQLite writer; group-commits queued writes</li>
 *   <li>{@code peer-http-N}: OkHttp dispatcher; completes replica futures, never blocks</li>
 *   <li>{@code peer-probe}: failure detector</li>
 *   <li>{@code hints}, {@code anti-entropy}, {@code maintenance}: background schedulers</li>
 *   <li>{@code causal-ship}: sends this node's causal writes to its peers; {@code causal-wake}: resumes
 *       requests that waited for a session's dependencies</li>
 * </ul>
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final long TICK_MS = 100;

    private final AgentSettings settings;
    private final Clock wall = Clock.systemUTC();
    private final SqliteStore store;
    private final PeerClient peerClient;
    private final Membership membership;
    private final LiveConfig config;
    private final NodeState node;
    private final HttpApi http;
    private final ScheduledExecutorService hints = Threads.scheduler("hints");
    private final ScheduledExecutorService antiEntropy = Threads.scheduler("anti-entropy");
    private final ScheduledExecutorService maintenance = Threads.scheduler("maintenance");
    /** Range scans asked for by peers (anti-entropy digests and entries, listings): kept off the event loops. */
    private final java.util.concurrent.ExecutorService scans = Threads.bounded("scans", 2, 1_024);
    private final HintedHandoff handoff;
    private final AntiEntropy entropy;
    private final Events events;
    private final FaultInjector faults;
    /** Causal writes shipped to peers, and waiting requests resumed. */
    private final ScheduledExecutorService causalShipping = Threads.scheduler("causal-ship");
    private final java.util.concurrent.ExecutorService causalWake = Threads.bounded("causal-wake", 1, 100_000);
    private final CausalShipper shipper;
    private volatile boolean closed;

    private Agent(AgentSettings s) {
        this.settings = s;
        HybridClock clock = new HybridClock(wall, LocalReplica.MAX_CLOCK_AHEAD_MS);
        AgentMetrics metrics = new AgentMetrics(s.id(), "agent");
        this.events = new Events(metrics);
        var members = Membership.parseMembers(s.peers());
        ClusterConfig initial = s.initialConfig(members.size());
        List<String> problems = initial.problems(members.keySet());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.store = SqliteStore.open(s.dataDir(), Ring::hash);
        try {
            this.config = new LiveConfig(initial, members.keySet(), store, clock, events);
            LongSupplier replicaTimeout = () -> config.get().replicaTimeoutMs();
            this.faults = new FaultInjector(metrics, System.nanoTime());
            java.util.Map<String, String> peerByAddress = new java.util.HashMap<>();
            members.forEach((id, url) -> peerByAddress.put(url.host() + ":" + url.port(), id));
            this.peerClient = new PeerClient(s.token(), s.id(), s.enableFaults()
                    ? List.of(new FaultInterceptor(faults, peerByAddress)) : List.of());
            this.membership = new Membership(s.id(), members, peerClient, clock, replicaTimeout, events, wall);
            LocalReplica local = new LocalReplica(s.id(), store, clock, events, config, wall, members::containsKey);
            Replicas replicas = new Replicas(membership, local);
            Coordinator coordinator = new Coordinator(replicas, events, clock, config, wall);
            CausalShipper[] shipperRef = new CausalShipper[1];
            CausalReplica causalReplica = new CausalReplica(s.id(), store.causal(), clock, causalWake,
                    () -> shipperRef[0].kick());
            this.shipper = new CausalShipper(causalReplica, store.causal(), replicas, causalShipping);
            shipperRef[0] = shipper;
            CausalCoordinator causal = new CausalCoordinator(causalReplica, store.causal(), replicas, config);
            CausalOps causalOps = new CausalOps(causalReplica, store.causal(), config, members::containsKey, wall);
            this.handoff = new HintedHandoff(replicas, events);
            this.entropy = new AntiEntropy(replicas, events, config);
            this.node = new NodeState(s.id(), "agent", wall, membership, store, config);
            ConfigSync sync = new ConfigSync(config, membership, peerClient, maintenance);
            metrics.registerStoreGauges(node::keys, node::sizeBytes, node::hintsPending);
            store.stats().observe((writes, nanos) -> {
                metrics.commitSize.observe(writes);
                metrics.commitDuration.observe(nanos / 1e9);
            });
            metrics.registerConfigGauges(() -> config.get().n(), () -> config.get().r(), () -> config.get().w());

            DataHandler data = new DataHandler(coordinator, causal, config, s.id(), members.size(), members::containsKey);
            ControlHandler control = new ControlHandler(node, config, sync, metrics);
            InternalHandler internal = new InternalHandler(local, causalOps, membership, clock, config, scans);
            metrics.registerCausalGauges(() -> causalReplica.pendingCount(), shipper::unshipped);
            metrics.registerReplicationLag(() -> {
                java.util.Map<String, double[]> m = new java.util.TreeMap<>();
                shipper.lag().forEach((peer, l) -> m.put(peer, new double[] {l.entries(), l.seconds()}));
                return m;
            });
            node.position(origin -> causalReplica.applied().get(origin));
            node.causal(() -> {
                java.util.Map<String, Object> c = new java.util.LinkedHashMap<>();
                c.put("applied", causalReplica.applied().toMap());
                c.put("waiting_for_dependencies", causalReplica.pendingCount());
                c.put("unshipped", shipper.unshipped());
                c.put("acked_by_peer", shipper.acked());
                java.util.Map<String, Object> lag = new java.util.TreeMap<>();
                shipper.lag().forEach((peer, l) -> lag.put(peer, java.util.Map.of("acked", l.acked(),
                        "lag_entries", l.entries(), "lag_seconds", l.seconds())));
                c.put("replication_lag", lag);
                return c;
            });
            // Inline routes run on the event loop and never wait; the others run on the http pool.
            this.http = new HttpApi(new Auth(s.token()), metrics::observeRequest, s.id(), this::bodyLimit, s.requestReadTimeoutMs())
                    .inlineRoute("/kv/", data::key)
                    .route("/kv", data::list)
                    .inlineRoute("/health", control::health)
                    .route("/metrics", control::metrics)
                    .authenticatedRoute("/admin/config", control::adminConfig)
                    .authenticatedRoute("/admin/status", control::adminStatus)
                    .authenticatedRoute("/admin/digest", control::adminDigest)
                    .authenticatedRoute("/admin/promote", control::adminPromote)
                    .authenticatedInlineRoute("/internal/batch", internal::batch)
                    .authenticatedRoute("/internal/config", internal::config)
                    .authenticatedRoute("/admin/faults", new FaultsHandler(faults, s.enableFaults())::handle);
            if (s.enableFaults()) {
                node.faults(faults::current);
                http.inboundFaults(call -> call.rawPath().equals("/admin/faults")
                        ? FaultInjector.Decision.PASS_THROUGH
                        : faults.inbound(call.header(PeerClient.FROM_HEADER)));
            }
            membership.start(s.probeIntervalMs(), () -> config.get().version(), sync::pullFrom);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Builds and starts an agent; throws with a readable message when it cannot. */
    public static Agent start(AgentSettings s) throws IOException {
        Agent a = new Agent(s);
        try {
            a.startServing();
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
        return a;
    }

    private void startServing() throws IOException {
        node.refresh();
        http.start(settings.bind(), settings.port(), settings.httpThreads());
        every(hints, () -> config.get().hintIntervalMs(), "hint hand-off", handoff::deliverOnce);
        // Paused in causal mode: it would copy a write to a replica before the writes it depends on.
        every(antiEntropy, () -> config.get().antiEntropyIntervalMs(), "anti-entropy", () -> {
            if (config.get().consistency() != Consistency.CAUSAL) {
                entropy.runOnce();
            }
        });
        shipper.start();
        every(maintenance, () -> 2_000L, "store statistics", node::refresh);
        every(maintenance, () -> Math.max(1_000, Math.min(60_000, config.get().tombstoneGraceMs() / 10)),
                "tombstone purge", this::purgeTombstones);
        node.ready(true);
        log.atInfo().addKeyValue("event", "started").addKeyValue("port", http.port())
                .addKeyValue("peers", membership.ring().nodes()).addKeyValue("config", Events.asMap(config.get()))
                .log("agent {} serving on {}:{}", settings.id(), settings.bind(), http.port());
    }

    /** The largest request body a path may carry: a value, a replica batch, or a small JSON document. */
    private long bodyLimit(String path) {
        if (path.startsWith("/kv/")) {
            return config.get().maxValueBytes();
        }
        if (path.equals("/internal/batch")) {
            return InternalHandler.MAX_BATCH_BYTES;
        }
        return 64 * 1024;
    }

    private void purgeTombstones() {
        long grace = config.get().tombstoneGraceMs();
        long cutoff = HybridClock.of(wall.millis() - grace, 0);
        events.tombstonesPurged(store.purgeTombstones(cutoff).join(), grace);
    }

    /**
     * Runs {@code task} every {@code intervalMs}, re-read on each tick (every {@value #TICK_MS} ms at
     * most) so that a live config change takes effect at once, not after the old period ran out.
     */
    private void every(ScheduledExecutorService ses, LongSupplier intervalMs, String what, Runnable task) {
        Runnable wrapped = Threads.logging(what, task);
        long[] lastRun = {System.nanoTime()};
        ses.scheduleWithFixedDelay(() -> {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            if (now - lastRun[0] >= TimeUnit.MILLISECONDS.toNanos(intervalMs.getAsLong())) {
                wrapped.run();
                lastRun[0] = System.nanoTime();
            }
        }, Math.min(TICK_MS, intervalMs.getAsLong()), Math.min(TICK_MS, intervalMs.getAsLong()), TimeUnit.MILLISECONDS);
    }

    public int port() {
        return http.port();
    }

    /**
     * Graceful stop: refuse new work (not ready), let requests in progress finish, stop the
     * background work, then flush and close the store.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.ready(false);
        log.atInfo().addKeyValue("event", "stopping").log("agent {} stopping", settings.id());
        http.stop(settings.drainSeconds());
        Threads.shutdown(hints, 5_000);
        Threads.shutdown(antiEntropy, 5_000);
        Threads.shutdown(maintenance, 5_000);
        Threads.shutdown(scans, 5_000);
        Threads.shutdown(causalShipping, 5_000);
        Threads.shutdown(causalWake, 5_000);
        membership.close();
        peerClient.close();
        store.close();
        log.atInfo().addKeyValue("event", "stopped").log("agent {} stopped", settings.id());
    }
}
