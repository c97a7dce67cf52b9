package dev.quorum.agent.config;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.replication.Membership;
import dev.quorum.agent.replication.Peer;
import dev.quorum.agent.replication.Replicas;
import dev.quorum.client.PeerClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Spreads live configuration changes: pushed to every peer when an operator changes it here, and
 * pulled from a peer whose health report shows a newer version (a node that was down during the
 * change catches up within a probe interval of coming back).
 */
public final class ConfigSync {
    /** Answer of {@code POST /internal/config}. */
    public record Adoption(boolean adopted, long version) {}

    private final LiveConfig config;
    private final Membership membership;
    private final PeerClient client;
    private final java.util.concurrent.Executor executor;

    /** @param executor runs adoptions (they write the store), never an OkHttp callback thread */
    public ConfigSync(LiveConfig config, Membership membership, PeerClient client,
            java.util.concurrent.Executor executor) {
        this.config = config;
        this.membership = membership;
        this.client = client;
        this.executor = executor;
    }

    /** Pushes the current config to every peer; per peer "ok", "already newer" or why it failed. */
    public Map<String, String> pushToPeers() {
        ClusterConfig cfg = config.get();
        Duration timeout = Duration.ofMillis(cfg.replicaTimeoutMs());
        Map<String, CompletableFuture<Adoption>> calls = new LinkedHashMap<>();
        for (Peer p : membership.peers()) {
            calls.put(p.id(), client.postJson(p.url(), "internal/config", cfg, Adoption.class, timeout));
        }
        Map<String, String> out = new LinkedHashMap<>();
        calls.forEach((id, f) -> {
            try {
                Adoption a = f.join();
                out.put(id, a.adopted() || a.version() == cfg.version() ? "ok" : "has newer version " + a.version());
            } catch (RuntimeException e) {
                out.put(id, Replicas.describe(e));
            }
        });
        return out;
    }

    /** Fetches a peer's config and adopts it if newer. Runs on a callback thread: asynchronous. */
    public void pullFrom(Peer peer) {
        client.getJson(peer.url(), "internal/config", ClusterConfig.class,
                        Duration.ofMillis(config.get().replicaTimeoutMs()))
                .thenAcceptAsync(remote -> config.adopt(remote, "peer " + peer.id()), executor);
    }
}
