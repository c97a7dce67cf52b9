package dev.quorum.agent.replication;

import dev.quorum.agent.observe.Events;
import dev.quorum.agent.store.Hint;
import dev.quorum.agent.store.KeyVersion;
import dev.quorum.agent.store.SqliteStore;
import dev.quorum.client.wire.InternalOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands hints off to the replicas they were meant for once those are up again. Runs on the
 * {@code hints} scheduler; each pass sends at most {@value #BATCH} hints per target (through the
 * peer's batching pipe) and deletes those the target acknowledged — unless a newer hint for the
 * same key arrived meanwhile.
 */
public final class HintedHandoff {
    private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);
    static final int BATCH = 512;

    private final Replicas replicas;
    private final Events events;

    public HintedHandoff(Replicas replicas, Events events) {
        this.replicas = replicas;
        this.events = events;
    }

    /** One pass over every target with pending hints; returns how many hints were delivered. */
    public int deliverOnce() {
        SqliteStore store = replicas.local().store();
        Membership m = replicas.membership();
        int total = 0;
        for (Map.Entry<String, Long> e : store.hintCounts().entrySet()) {
            String target = e.getKey();
            if (target.equals(m.selfId())) {
                total += deliver(target, store.hintsFor(target, BATCH)); // applied to our own store
                continue;
            }
            if (m.peer(target) == null) {
                log.warn("dropping {} hints for {}: not a member of this cluster", e.getValue(), target);
                store.dropHints(target).join();
                continue;
            }
            if (!m.isUp(target)) {
                continue;
            }
            total += deliver(target, store.hintsFor(target, BATCH));
        }
        return total;
    }

    private int deliver(String target, List<Hint> hints) {
        List<CompletableFuture<KeyVersion>> sends = new ArrayList<>(hints.size());
        for (Hint h : hints) {
            sends.add(replicas.call(target, InternalOp.put(Wire.toWire(h.record()), null, null, false))
                    .thenApply(r -> h.record().keyVersion())
                    .exceptionally(err -> null));
        }
        List<KeyVersion> delivered = new ArrayList<>();
        for (CompletableFuture<KeyVersion> f : sends) {
            KeyVersion kv = f.join();
            if (kv != null) {
                delivered.add(kv);
            }
        }
        if (delivered.isEmpty()) {
            return 0;
        }
        replicas.local().store().deleteHints(target, delivered).join();
        events.hintsDelivered(target, delivered.stream().map(KeyVersion::key).toList());
        return delivered.size();
    }
}
