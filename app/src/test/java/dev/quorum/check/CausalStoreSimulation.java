package dev.quorum.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * An in-process key-value store, replicated over a few replicas, that records the history its clients see.
 *
 * <p>Correct mode is causally consistent with convergent last-writer-wins: each write carries the vector clock
 * of its replica (its dependencies) and a Lamport timestamp; replicas apply other replicas' writes in causal
 * order and keep, per key, the write with the greatest (Lamport, replica); each client session carries a vector
 * clock token of what it has seen and written, and an operation waits until its replica has applied the token.
 * Sessions stick to a replica or hop between them.
 *
 * <p>Broken mode keeps the same clients but drops the guarantees: replicas apply writes in random order, an
 * operation does not wait for the session's token, and (in some runs) the last write delivered wins instead of
 * the greatest timestamp.
 */
final class CausalStoreSimulation {
    record Spec(long seed, int replicas, int sessions, int keys, int operations, boolean broken) {}

    private record Version(String value, long lamport, int replica) {
        boolean olderThan(long l, int r) {
            return lamport < l || (lamport == l && replica < r);
        }
    }

    private record Write(int id, int origin, int seq, int[] deps, String key, String value, long lamport) {}

    private final class Replica {
        final int id;
        final int[] applied = new int[spec.replicas()];
        final boolean[] got;
        final Map<String, Version> store = new HashMap<>();
        long lamport;

        Replica(int id, int maxWrites) {
            this.id = id;
            this.got = new boolean[maxWrites];
        }

        void apply(Write w) {
            got[w.id()] = true;
            applied[w.origin()] = Math.max(applied[w.origin()], w.seq());
            lamport = Math.max(lamport, w.lamport());
            Version v = store.get(w.key());
            if (v == null || lastDeliveredWins || v.olderThan(w.lamport(), w.origin())) {
                store.put(w.key(), new Version(w.value(), w.lamport(), w.origin()));
            }
        }

        /** The next write of {@code origin} this replica has not applied, if its dependencies are met. */
        Write deliverable(int origin) {
            List<Write> log = logs.get(origin);
            if (origin == id || applied[origin] >= log.size()) {
                return null;
            }
            Write w = log.get(applied[origin]);
            for (int i = 0; i < applied.length; i++) {
                if (i != origin && w.deps()[i] > applied[i]) {
                    return null;
                }
            }
            return w;
        }

        boolean covers(int[] token) {
            for (int i = 0; i < token.length; i++) {
                if (applied[i] < token[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Correct mode: apply other replicas' writes, in causal order, until the token is covered. */
        void catchUp(int[] token) {
            while (!covers(token)) {
                boolean progress = false;
                for (int o = 0; o < applied.length && !progress; o++) {
                    if (applied[o] < token[o]) {
                        Write w = deliverable(o);
                        if (w == null) {
                            // A dependency from a third replica comes first.
                            for (int o2 = 0; o2 < applied.length && !progress; o2++) {
                                Write w2 = deliverable(o2);
                                if (w2 != null) {
                                    apply(w2);
                                    progress = true;
                                }
                            }
                        } else {
                            apply(w);
                            progress = true;
                        }
                    }
                }
                if (!progress) {
                    throw new IllegalStateException("cannot catch up with a token");
                }
            }
        }

        /** One step of background replication. */
        void gossip() {
            if (spec.broken()) {
                if (all.isEmpty()) {
                    return;
                }
                Write w = all.get(random.nextInt(all.size()));
                if (!got[w.id()]) {
                    apply(w);
                }
                return;
            }
            int o = random.nextInt(applied.length);
            Write w = deliverable(o);
            if (w != null) {
                apply(w);
            }
        }
    }

    private final Spec spec;
    private final Random random;
    private final boolean lastDeliveredWins;
    private final List<List<Write>> logs = new ArrayList<>();
    private final List<Write> all = new ArrayList<>();
    private final List<Replica> replicas = new ArrayList<>();

    private CausalStoreSimulation(Spec spec) {
        this.spec = spec;
        this.random = new Random(spec.seed());
        this.lastDeliveredWins = spec.broken() && random.nextBoolean();
        for (int r = 0; r < spec.replicas(); r++) {
            logs.add(new ArrayList<>());
            replicas.add(new Replica(r, spec.operations()));
        }
    }

    static List<Operation<KvCall, Optional<String>>> run(Spec spec) {
        return new CausalStoreSimulation(spec).history();
    }

    private List<Operation<KvCall, Optional<String>>> history() {
        int sessions = spec.sessions();
        int[][] tokens = new int[sessions][spec.replicas()];
        int[] home = new int[sessions];
        double[] hop = new double[sessions];
        for (int s = 0; s < sessions; s++) {
            home[s] = random.nextInt(spec.replicas());
            hop[s] = random.nextInt(3) == 0 ? 0 : random.nextDouble() * (spec.broken() ? 0.6 : 0.3);
        }
        List<Operation<KvCall, Optional<String>>> out = new ArrayList<>(spec.operations());
        int values = 0;
        for (int step = 0; step < spec.operations(); step++) {
            for (int g = random.nextInt(4); g > 0; g--) {
                replicas.get(random.nextInt(spec.replicas())).gossip();
            }
            int s = random.nextInt(sessions);
            if (random.nextDouble() < hop[s]) {
                home[s] = random.nextInt(spec.replicas());
            }
            Replica r = replicas.get(home[s]);
            String key = "k" + random.nextInt(spec.keys());
            long invoke = 10L * step;
            long complete = invoke + 1 + random.nextInt(8);
            double dice = random.nextDouble();
            double outcome = random.nextDouble();
            if (!spec.broken()) {
                r.catchUp(tokens[s]);
            }
            if (dice < 0.5) {
                if (outcome < 0.03) {
                    out.add(Operation.failed(s, invoke, complete, KvCall.get(key)));
                    continue;
                }
                Version v = r.store.get(key);
                String read = v == null ? null : v.value();
                merge(tokens[s], r.applied);
                out.add(outcome < 0.06 ? Operation.unknown(s, invoke, KvCall.get(key))
                        : Operation.ok(s, invoke, complete, KvCall.get(key), Optional.ofNullable(read)));
            } else {
                boolean delete = dice > 0.9;
                String value = delete ? null : "v" + (values++);
                KvCall call = delete ? KvCall.delete(key) : KvCall.put(key, value);
                if (outcome < 0.03) {
                    out.add(Operation.failed(s, invoke, complete, call));
                    continue;
                }
                boolean unknown = outcome < 0.08;
                if (!unknown || random.nextBoolean()) {
                    write(r, key, value);
                    if (!unknown || random.nextBoolean()) {
                        merge(tokens[s], r.applied);
                    }
                }
                out.add(unknown ? Operation.unknown(s, invoke, call)
                        : Operation.ok(s, invoke, complete, call, Optional.empty()));
            }
        }
        return out;
    }

    private void write(Replica r, String key, String value) {
        List<Write> log = logs.get(r.id);
        Write w = new Write(all.size(), r.id, log.size() + 1, r.applied.clone(), key, value, r.lamport + 1);
        log.add(w);
        all.add(w);
        r.apply(w);
    }

    private static void merge(int[] into, int[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] = Math.max(into[i], from[i]);
        }
    }
}
