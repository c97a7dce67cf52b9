package dev.quorum.agent.replication;

import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.client.PeerCallException;
import dev.quorum.client.PeerClient;
import dev.quorum.client.wire.InternalBatch;
import dev.quorum.client.wire.InternalBatchResult;
import dev.quorum.client.wire.InternalOp;
import dev.quorum.client.wire.InternalResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The batching link to one peer. Replica operations from every request thread are queued; at most
 * {@code maxInFlight} batches are on the wire at once, and each takes whatever has queued meanwhile
 * (up to {@code maxOps} ops / {@code maxBytes}). At low load every op goes alone and at once; under
 * load, ops share round trips — which is what lets one coordinator on two cores push tens of
 * thousands of replica writes a second.
 *
 * <p>Each op's future completes on an OkHttp callback thread, or exceptionally with a
 * {@link PeerCallException}: TIMEOUT when its batch got no answer within the replica timeout, or
 * when it waited that long in the queue; OVERLOADED when the queue is full. A queued op thus
 * waits at most about two replica timeouts; the coordinator's request timeout bounds the rest.
 */
final class PeerPipe {
    private record Pending(InternalOp op, CompletableFuture<InternalResult> done, long enqueuedNanos) {}

    private final String peerId;
    private final okhttp3.HttpUrl url;
    private final String selfId;
    private final PeerClient client;
    private final HybridClock clock;
    private final LongSupplier timeoutMillis;
    private final Consumer<PeerCallException> onFailure;
    private final Runnable onSuccess;
    private final int maxInFlight;
    private final int maxOps;
    private final int maxBytes;
    private final int maxQueued;

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    PeerPipe(String peerId, okhttp3.HttpUrl url, String selfId, PeerClient client, HybridClock clock,
            LongSupplier timeoutMillis, Consumer<PeerCallException> onFailure, Runnable onSuccess) {
        this(peerId, url, selfId, client, clock, timeoutMillis, onFailure, onSuccess,
                Integer.getInteger("quorum.pipe.inflight", 2), 256, 4 << 20, 50_000);
    }

    PeerPipe(String peerId, okhttp3.HttpUrl url, String selfId, PeerClient client, HybridClock clock,
            LongSupplier timeoutMillis, Consumer<PeerCallException> onFailure, Runnable onSuccess,
            int maxInFlight, int maxOps, int maxBytes, int maxQueued) {
        this.peerId = peerId;
        this.url = url;
        this.selfId = selfId;
        this.client = client;
        this.clock = clock;
        this.timeoutMillis = timeoutMillis;
        this.onFailure = onFailure;
        this.onSuccess = onSuccess;
        this.maxInFlight = maxInFlight;
        this.maxOps = maxOps;
        this.maxBytes = maxBytes;
        this.maxQueued = maxQueued;
    }

    CompletableFuture<InternalResult> submit(InternalOp op) {
        CompletableFuture<InternalResult> done = new CompletableFuture<>();
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            done.completeExceptionally(new PeerCallException(PeerCallException.Kind.OVERLOADED,
                    maxQueued + " operations already queued for " + peerId));
            return done;
        }
        queue.add(new Pending(op, done, System.nanoTime()));
        pump();
        return done;
    }

    int queued() {
        return queued.get();
    }

    private void pump() {
        while (!queue.isEmpty()) {
            int n = inFlight.get();
            if (n >= maxInFlight) {
                return; // a finishing batch will pump again
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            List<Pending> batch = drain();
            if (batch.isEmpty()) {
                inFlight.decrementAndGet();
                continue; // someone else drained; loop re-checks the queue
            }
            send(batch);
        }
    }

    private List<Pending> drain() {
        List<Pending> batch = new ArrayList<>();
        int bytes = 0;
        long now = System.nanoTime();
        long maxWait = TimeUnit.MILLISECONDS.toNanos(timeoutMillis.getAsLong());
        Pending p;
        while (batch.size() < maxOps && bytes < maxBytes && (p = queue.poll()) != null) {
            queued.decrementAndGet();
            if (now - p.enqueuedNanos() > maxWait) {
                // Waited a whole replica timeout behind slow batches: fail it rather than send it late.
                p.done().completeExceptionally(new PeerCallException(PeerCallException.Kind.TIMEOUT,
                        "queued for " + peerId + " longer than the replica timeout"));
                continue;
            }
            batch.add(p);
            bytes += p.op().weight();
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        List<InternalOp> ops = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            ops.add(p.op());
        }
        CompletableFuture<InternalBatchResult> call;
        try {
            call = client.sendBatch(url, new InternalBatch(selfId, clock.now(), ops),
                    Duration.ofMillis(timeoutMillis.getAsLong()));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((res, err) -> {
            try {
                if (err != null) {
                    PeerCallException pce = err instanceof PeerCallException e
                            ? e
                            : new PeerCallException(PeerCallException.Kind.PROTOCOL, 0, err.toString(), err);
                    onFailure.accept(pce);
                    for (Pending p : batch) {
                        p.done().completeExceptionally(pce);
                    }
                } else if (res.results() == null || res.results().size() != batch.size()) {
                    PeerCallException pce = new PeerCallException(PeerCallException.Kind.PROTOCOL,
                            "peer answered " + (res.results() == null ? 0 : res.results().size()) + " results for "
                                    + batch.size() + " ops");
                    onFailure.accept(pce);
                    batch.forEach(p -> p.done().completeExceptionally(pce));
                } else {
                    clock.observe(res.hlc());
                    onSuccess.run();
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).done().complete(res.results().get(i));
                    }
                }
            } finally {
                inFlight.decrementAndGet();
                pump();
            }
        });
    }
}
