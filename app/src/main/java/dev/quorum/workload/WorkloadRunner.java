package dev.quorum.workload;

import dev.quorum.check.KvCall;
import dev.quorum.check.Operation;
import dev.quorum.client.QuorumClient;
import dev.quorum.common.Threads;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * Runs a {@link WorkloadSpec} against real agents and records the history.
 *
 * <h2>Outcomes (what the checker may assume)</h2>
 * <ul>
 *   <li>a write answered 200 is {@code ok}; answered 4xx, or 503 saying {@code outcome:
 *       not_applied}, or refused at connect, it is {@code fail} — it certainly did not happen;</li>
 *   <li>a write answered any other 5xx, or not answered in time, is {@code unknown}: it may have
 *       taken effect, at any time after its invocation;</li>
 *   <li>a read answered 200 or 404 is {@code ok} (404 = absent); any other answer makes it
 *       {@code fail} (a read that failed changed nothing).</li>
 * </ul>
 * In the causal model every client is one session: it sends the token of its last answer
 * ({@code X-Quorum-Session}) with each request, also when it hops to another node ({@code hop}).
 * Clients back off with jitter (5–25 ms) after a 429/503 or no answer at all. Threads: one {@code workload-client-N} per client,
 * owned here and stopped by {@link #stop} or at the end of the run.
 */
public final class WorkloadRunner {
    private final WorkloadSpec spec;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong issued = new AtomicLong();

    public WorkloadRunner(WorkloadSpec spec) {
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.spec = spec;
    }

    /** Asks every client to finish its current operation and stop. */
    public void stop() {
        stopped.set(true);
    }

    /** Operations started so far (for progress displays). */
    public long issued() {
        return issued.get();
    }

    /**
     * Runs to the end (duration or op count, or {@link #stop}).
     *
     * @param onOperation called for every completed operation, from the client threads
     */
    public WorkloadResult run(Consumer<Operation<KvCall, Optional<String>>> onOperation) throws InterruptedException {
        double zetan = spec.distribution() == WorkloadSpec.KeyDistribution.ZIPFIAN ? KeyChooser.zeta(spec.keys()) : 0;
        long start = System.nanoTime();
        long deadline = start + spec.duration().toNanos();
        List<Client> clients = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom(spec.seed());
        for (int i = 0; i < spec.clients(); i++) {
            clients.add(new Client(i, spec.nodes().get(i % spec.nodes().size()), seeds.split(), zetan, start,
                    deadline, onOperation));
        }
        ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(spec.clients(),
                Threads.named("workload-client"));
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Client c : clients) {
                running.add(pool.submit(c::run));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a workload client failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            stop();
            Threads.shutdown(pool, 5_000);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        List<Operation<KvCall, Optional<String>>> history = new ArrayList<>();
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        Map<String, Histogram> latency = new TreeMap<>();
        for (Client c : clients) {
            history.addAll(c.history);
            c.counts.forEach((op, m) -> m.forEach((outcome, n) ->
                    counts.computeIfAbsent(op, k -> new TreeMap<>()).merge(outcome, n, Long::sum)));
            c.latency.forEach((op, h) -> latency.computeIfAbsent(op, k -> new Histogram(3)).add(h));
        }
        history.sort((a, b) -> Long.compare(a.invokeNs(), b.invokeNs()));
        return new WorkloadResult(Collections.unmodifiableList(history), counts, latency, elapsed);
    }

    /** One client: its own connection, random stream and share of the rate. */
    private final class Client {
        final int id;
        final String node;
        final SplittableRandom random;
        final KeyChooser keys;
        final long start;
        final long deadline;
        final Consumer<Operation<KvCall, Optional<String>>> onOperation;
        final List<Operation<KvCall, Optional<String>>> history = new ArrayList<>();
        final Map<String, Map<String, Long>> counts = new TreeMap<>();
        final Map<String, Histogram> latency = new TreeMap<>();
        long seq;
        /** The causal session token of the last answer (null until one came, and in the other models). */
        String session;

        Client(int id, String node, SplittableRandom random, double zetan, long start, long deadline,
                Consumer<Operation<KvCall, Optional<String>>> onOperation) {
            this.id = id;
            this.node = node;
            this.random = random;
            this.keys = new KeyChooser(spec.keys(), spec.distribution(), zetan, random);
            this.start = start;
            this.deadline = deadline;
            this.onOperation = onOperation;
        }

        void run() {
            long intervalNanos = spec.ratePerSecond() > 0 ? (long) (1e9 * spec.clients() / spec.ratePerSecond()) : 0;
            long next = System.nanoTime();
            QuorumClient.Options options = new QuorumClient.Options(null, null, false, null, spec.consistency());
            List<QuorumClient> connections = new ArrayList<>();
            for (String url : spec.hop() ? spec.nodes() : List.of(node)) {
                connections.add(new QuorumClient(url, spec.token(), spec.requestTimeout()));
            }
            try {
                while (!stopped.get() && System.nanoTime() < deadline) {
                    if (spec.maxOps() > 0 && issued.incrementAndGet() > spec.maxOps()) {
                        return;
                    } else if (spec.maxOps() == 0) {
                        issued.incrementAndGet();
                    }
                    if (intervalNanos > 0) {
                        next += intervalNanos;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    QuorumClient client = connections.get(connections.size() == 1 ? 0 : random.nextInt(connections.size()));
                    int backoffStatus = one(client, options.session(session));
                    if (backoffStatus == 0 || backoffStatus == 429 || backoffStatus == 503) {
                        // No answer, or told to come back: back off with jitter rather than spin.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5 + random.nextInt(20)));
                    }
                }
            } finally {
                connections.forEach(QuorumClient::close);
            }
        }

        /** Runs one operation, records it, and returns the HTTP status (0 when there was no answer). */
        int one(QuorumClient client, QuorumClient.Options options) {
            double dice = random.nextDouble();
            String key = KeyChooser.name(spec.keyPrefix(), keys.nextIndex());
            KvCall call;
            if (dice < spec.readRatio()) {
                call = KvCall.get(key);
            } else if (dice < spec.readRatio() + spec.deleteRatio()) {
                call = KvCall.delete(key);
            } else {
                call = KvCall.put(key, value());
            }
            long invoke = System.nanoTime() - start;
            int status = 0;
            Operation<KvCall, Optional<String>> op;
            try {
                QuorumClient.Reply reply = switch (call.kind()) {
                    case GET -> client.get(key, options);
                    case PUT -> client.put(key, call.value().getBytes(StandardCharsets.UTF_8), "text/plain", options);
                    case DELETE -> client.delete(key, options);
                };
                status = reply.status();
                long complete = System.nanoTime() - start;
                String token = reply.session();
                if (token != null) {
                    session = token;
                }
                op = classify(call, reply, invoke, complete);
            } catch (UncheckedIOException e) {
                long complete = System.nanoTime() - start;
                boolean notSent = e.getCause() instanceof ConnectException;
                op = call.kind() == KvCall.Kind.GET || notSent
                        ? Operation.failed(id, invoke, complete, call)
                        : Operation.unknown(id, invoke, call);
            }
            history.add(op);
            String kind = call.kind().name().toLowerCase(java.util.Locale.ROOT);
            counts.computeIfAbsent(kind, k -> new TreeMap<>()).merge(op.outcome().wireName(), 1L, Long::sum);
            if (op.completeNs().isPresent() && op.outcome() == dev.quorum.check.Outcome.OK) {
                latency.computeIfAbsent(kind, k -> new Histogram(3))
                        .recordValue(Math.max(1, (op.completeNs().getAsLong() - invoke) / 1_000));
            }
            onOperation.accept(op);
            return status;
        }

        private Operation<KvCall, Optional<String>> classify(KvCall call, QuorumClient.Reply reply, long invoke,
                long complete) {
            int s = reply.status();
            if (call.kind() == KvCall.Kind.GET) {
                if (s == 200) {
                    return Operation.ok(id, invoke, complete, call, Optional.of(reply.text()));
                }
                if (s == 404) {
                    return Operation.ok(id, invoke, complete, call, Optional.empty());
                }
                return Operation.failed(id, invoke, complete, call);
            }
            if (s >= 200 && s < 300) {
                return Operation.ok(id, invoke, complete, call, Optional.empty());
            }
            if (s >= 400 && s < 500 || (s == 503 && notApplied(reply))) {
                return Operation.failed(id, invoke, complete, call);
            }
            return Operation.unknown(id, invoke, call);
        }

        /** A 503 that says the write did not happen: a quorum failure before any replica wrote, or a causal write refused before it began. */
        private boolean notApplied(QuorumClient.Reply reply) {
            try {
                JsonNode body = reply.json();
                return "not_applied".equals(body.path("outcome").asText(null))
                        || "causal_unavailable".equals(body.path("error").asText(null));
            } catch (RuntimeException notJson) {
                return false;
            }
        }

        private String value() {
            String base = "c" + id + "-" + (seq++) + "-";
            StringBuilder sb = new StringBuilder(spec.valueSize());
            sb.append(base);
            while (sb.length() < spec.valueSize()) {
                sb.append('x');
            }
            return sb.toString();
        }
    }
}
