package dev.quorum.agent.replication;

import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.observe.Events;
import dev.quorum.client.PeerCallException;
import dev.quorum.client.PeerClient;
import dev.quorum.common.Threads;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static member list, the ring built from it, and a failure detector: every probe interval
 * each peer's {@code /health} is asked (thread {@code peer-probe}). A peer is down after a refused
 * connection, or two probes in a row without an answer, or while it says it is not ready; it is up
 * again after one good probe. Data calls feed the detector too: a refused connection marks the
 * peer down at once, so the next write goes straight to a stand-in.
 */
public final class Membership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private final String selfId;
    private final HttpUrl selfUrl;
    private final Ring ring;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final PeerClient client;
    private final Events events;
    private final Clock wall;
    private final ScheduledExecutorService probe = Threads.scheduler("peer-probe");
    private final Map<String, Integer> missedProbes = new java.util.concurrent.ConcurrentHashMap<>();

    public Membership(String selfId, Map<String, HttpUrl> members, PeerClient client, HybridClock clock,
            LongSupplier replicaTimeoutMillis, Events events, Clock wall) {
        if (!members.containsKey(selfId)) {
            throw new IllegalArgumentException("--peers must include this node's own id '" + selfId + "'");
        }
        this.selfId = selfId;
        this.selfUrl = members.get(selfId);
        this.ring = new Ring(new ArrayList<>(members.keySet()), Ring.DEFAULT_VNODES);
        this.client = client;
        this.events = events;
        this.wall = wall;
        for (var e : members.entrySet()) {
            if (e.getKey().equals(selfId)) {
                continue;
            }
            Peer p = new Peer(e.getKey(), e.getValue());
            p.pipe(new PeerPipe(p.id(), p.url(), selfId, client, clock, replicaTimeoutMillis,
                    failure -> onCallFailure(p, failure), () -> markUp(p, "answered a replica call")));
            peers.put(p.id(), p);
            events.metrics().peerUp.labelValues(p.id()).set(1);
        }
    }

    /** Parses {@code n1=127.0.0.1:7101,n2=host:7102}; throws IllegalArgumentException naming the bad entry. */
    public static Map<String, HttpUrl> parseMembers(String spec) {
        Map<String, HttpUrl> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String entry = part.trim();
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("peer entry '" + entry + "' must look like id=host:port");
            }
            String id = entry.substring(0, eq);
            NodeIds.problem(id).ifPresent(p -> {
                throw new IllegalArgumentException(p);
            });
            String address = entry.substring(eq + 1);
            if (!address.matches("(http://)?[^/:]+:\\d{1,5}/?")) {
                throw new IllegalArgumentException("peer '" + id + "' must be given as host:port, got '" + address + "'");
            }
            HttpUrl url = HttpUrl.parse(address.startsWith("http://") ? address : "http://" + address + "/");
            if (url == null || url.port() <= 0) {
                throw new IllegalArgumentException("peer '" + id + "' has no valid host:port: '" + address + "'");
            }
            if (out.put(id, url) != null) {
                throw new IllegalArgumentException("peer id '" + id + "' appears twice");
            }
        }
        return out;
    }

    public String selfId() {
        return selfId;
    }

    public HttpUrl selfUrl() {
        return selfUrl;
    }

    public Ring ring() {
        return ring;
    }

    public int clusterSize() {
        return ring.size();
    }

    public Collection<Peer> peers() {
        return peers.values();
    }

    public Peer peer(String id) {
        return peers.get(id);
    }

    public boolean isUp(String id) {
        if (id.equals(selfId)) {
            return true;
        }
        Peer p = peers.get(id);
        return p != null && p.up();
    }

    public List<String> upPeers() {
        return peers.values().stream().filter(Peer::up).map(Peer::id).toList();
    }

    /** Starts probing; {@code onNewerConfig} is told when a peer reports a config newer than ours. */
    public void start(long intervalMillis, LongSupplier ownConfigVersion, Consumer<Peer> onNewerConfig) {
        probe.scheduleWithFixedDelay(Threads.logging("peer probe", () -> probeAll(intervalMillis, ownConfigVersion,
                onNewerConfig)), 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void probeAll(long intervalMillis, LongSupplier ownConfigVersion, Consumer<Peer> onNewerConfig) {
        Duration timeout = Duration.ofMillis(Math.max(200, Math.min(1_000, intervalMillis)));
        for (Peer p : peers.values()) {
            client.health(p.url(), timeout).whenComplete((h, err) -> {
                if (err != null) {
                    PeerCallException pce = err instanceof PeerCallException e ? e : null;
                    int missed = missedProbes.merge(p.id(), 1, Integer::sum);
                    if (pce != null && pce.kind() == PeerCallException.Kind.CONNECT) {
                        markDown(p, "connection refused");
                    } else if (missed >= 2) {
                        markDown(p, "no answer to " + missed + " probes");
                    }
                    return;
                }
                missedProbes.remove(p.id());
                if (!h.ready()) {
                    markDown(p, "not ready");
                    return;
                }
                p.seen(wall.millis(), h.configVersion());
                markUp(p, "probe answered");
                if (h.configVersion() > ownConfigVersion.getAsLong()) {
                    onNewerConfig.accept(p);
                }
            });
        }
    }

    private void onCallFailure(Peer p, PeerCallException e) {
        if (e.kind() == PeerCallException.Kind.CONNECT) {
            markDown(p, "connection refused");
        }
    }

    private void markUp(Peer p, String reason) {
        if (p.mark(true, null)) {
            events.peerState(p.id(), true, reason);
        }
    }

    private void markDown(Peer p, String reason) {
        if (p.mark(false, reason)) {
            events.peerState(p.id(), false, reason);
        }
    }

    @Override
    public void close() {
        Threads.shutdown(probe, 2_000);
        log.debug("membership closed");
    }
}
