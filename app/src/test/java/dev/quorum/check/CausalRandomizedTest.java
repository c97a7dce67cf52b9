package dev.quorum.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded histories from {@link CausalStoreSimulation}: the causally consistent store is always found causal;
 * the broken one is mostly not, and every anomaly reported is checked against the history on its own (its
 * chain's edges exist; an absent read really has no delete to explain it). Random garbage must not crash it.
 */
class CausalRandomizedTest {
    private static final CausalChecker CHECKER = new CausalChecker(1_000);

    private static CausalResult check(List<Operation<KvCall, Optional<String>>> h) {
        try {
            return CHECKER.check(h);
        } catch (HistoryFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCausallyConsistentStoreIsAlwaysFoundCausal() {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            var spec = new CausalStoreSimulation.Spec(seed, 3, 2 + r.nextInt(8), 1 + r.nextInt(6),
                    50 + r.nextInt(400), false);
            List<Operation<KvCall, Optional<String>>> h = CausalStoreSimulation.run(spec);
            CausalResult result = check(h);
            if (!result.causal()) {
                fail("seed " + seed + " " + spec + ": " + result.anomalies().get(0).explanation() + "\n"
                        + result.anomalies().get(0).chain());
            }
        }
    }

    @Test
    void aBrokenStoreIsMostlyCaughtAndEveryAnomalyIsReal() {
        int caught = 0;
        int seeds = 200;
        Map<String, Integer> kinds = new HashMap<>();
        for (long seed = 0; seed < seeds; seed++) {
            Random r = new Random(seed);
            var spec = new CausalStoreSimulation.Spec(seed, 3, 2 + r.nextInt(8), 1 + r.nextInt(6),
                    100 + r.nextInt(400), true);
            List<Operation<KvCall, Optional<String>>> h = CausalStoreSimulation.run(spec);
            CausalResult result = check(h);
            if (!result.causal()) {
                caught++;
            }
            Oracle oracle = new Oracle(h);
            for (CausalAnomaly a : result.anomalies()) {
                kinds.merge(a.kind(), 1, Integer::sum);
                oracle.verify(a, "seed " + seed);
            }
        }
        assertThat(caught).as("broken runs caught").isGreaterThan(seeds * 8 / 10);
        assertThat(kinds).containsKeys("read-your-writes", "monotonic-reads", "causal-order");
    }

    @Test
    void randomGarbageDoesNotCrashItAndWhatItReportsIsReal() {
        int errors = 0;
        for (long seed = 0; seed < 400; seed++) {
            Random r = new Random(seed);
            List<Operation<KvCall, Optional<String>>> h = garbage(r);
            CausalResult result;
            try {
                result = CHECKER.check(h);
            } catch (HistoryFormatException e) {
                errors++;
                assertThat(e.getMessage()).containsAnyOf("at once", "same value");
                continue;
            }
            Oracle oracle = new Oracle(h);
            for (CausalAnomaly a : result.anomalies()) {
                oracle.verify(a, "garbage seed " + seed);
            }
            assertThat(result.anomalyCount()).isGreaterThanOrEqualTo(result.anomalies().size());
        }
        assertThat(errors).isLessThan(400);
    }

    @Test
    void aHundredThousandOperationsAreCheckedInSeconds() {
        var spec = new CausalStoreSimulation.Spec(42, 3, 32, 100, 100_000, false);
        List<Operation<KvCall, Optional<String>>> h = CausalStoreSimulation.run(spec);
        long t0 = System.nanoTime();
        CausalResult result = check(h);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(result.causal()).isTrue();
        assertThat(result.sessions()).isEqualTo(32);
        assertThat(ms).as("milliseconds for 100k operations").isLessThan(10_000);

        var broken = CausalStoreSimulation.run(new CausalStoreSimulation.Spec(43, 3, 64, 10, 100_000, true));
        t0 = System.nanoTime();
        CausalResult bad = check(broken);
        ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(bad.causal()).isFalse();
        assertThat(ms).as("milliseconds for 100k broken operations").isLessThan(15_000);
    }

    /** Random operations: few processes and keys, values read from anywhere, random outcomes, rare overlaps. */
    private static List<Operation<KvCall, Optional<String>>> garbage(Random r) {
        int processes = 1 + r.nextInt(5);
        int keys = 1 + r.nextInt(3);
        int ops = r.nextInt(60);
        long[] clock = new long[processes];
        List<String> written = new ArrayList<>();
        List<Operation<KvCall, Optional<String>>> h = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
            int p = r.nextInt(processes);
            String key = "k" + r.nextInt(keys);
            long invoke = clock[p] + r.nextInt(5) - (r.nextInt(50) == 0 ? 3 : 0);
            long complete = invoke + r.nextInt(5);
            clock[p] = complete;
            int kind = r.nextInt(10);
            int outcome = r.nextInt(10);
            KvCall call;
            if (kind < 5) {
                call = KvCall.get(key);
            } else if (kind < 8) {
                String v = "v" + r.nextInt(ops * 2 + 1);
                if (written.contains(v) && r.nextInt(20) != 0) {
                    v = "u" + i;
                }
                written.add(v);
                call = KvCall.put(key, v);
            } else {
                call = KvCall.delete(key);
            }
            if (outcome == 0) {
                h.add(Operation.failed(p, Math.max(0, invoke), Math.max(0, invoke) + complete - invoke, call));
            } else if (outcome == 1) {
                h.add(Operation.unknown(p, Math.max(0, invoke), call));
            } else {
                Optional<String> out = Optional.empty();
                if (call.kind() == KvCall.Kind.GET && !written.isEmpty() && r.nextInt(4) != 0) {
                    out = Optional.of(r.nextInt(15) == 0 ? "nowhere" : written.get(r.nextInt(written.size())));
                }
                h.add(Operation.ok(p, Math.max(0, invoke), Math.max(0, invoke) + complete - invoke, call, out));
            }
        }
        return h;
    }

    /**
     * Checks a reported anomaly against the history alone, with a brute-force causal order (breadth-first search
     * over session order and read-from), independent of the checker's vector clocks.
     */
    static final class Oracle {
        private final List<Operation<KvCall, Optional<String>>> ops = new ArrayList<>();
        private final Map<String, Integer> byStep = new HashMap<>();

        Oracle(List<Operation<KvCall, Optional<String>>> history) {
            for (Operation<KvCall, Optional<String>> o : history) {
                if (o.outcome() == Outcome.FAIL || (o.outcome() == Outcome.UNKNOWN && o.input().kind() == KvCall.Kind.GET)) {
                    continue;
                }
                byStep.put(id(Violation.Step.of(KvRegisterModel.INSTANCE, o)), ops.size());
                ops.add(o);
            }
        }

        private static String id(Violation.Step s) {
            return s.process() + "@" + s.invokeNs() + ":" + s.operation() + ":" + s.outcome();
        }

        private Operation<KvCall, Optional<String>> op(Violation.Step s, String where) {
            Integer i = byStep.get(id(s));
            if (i == null) {
                fail(where + ": reported operation not in the history: " + s);
            }
            return ops.get(i);
        }

        /** a -> b is an edge of session order (a ok, same process, earlier) or read-from. */
        private boolean soEdge(Operation<KvCall, Optional<String>> a, Operation<KvCall, Optional<String>> b) {
            return a.outcome() == Outcome.OK && a.process() == b.process() && a.invokeNs() <= b.invokeNs()
                    && a != b;
        }

        private boolean rfEdge(Operation<KvCall, Optional<String>> a, Operation<KvCall, Optional<String>> b) {
            return a.input().kind() == KvCall.Kind.PUT && b.input().kind() == KvCall.Kind.GET
                    && b.outcome() == Outcome.OK && a.input().key().equals(b.input().key())
                    && b.output().isPresent() && b.output().get().equals(a.input().value());
        }

        private boolean write(Operation<KvCall, Optional<String>> o) {
            return o.input().kind() != KvCall.Kind.GET;
        }

        /** Brute force: a ⪯co b. */
        boolean reach(Operation<KvCall, Optional<String>> a, Operation<KvCall, Optional<String>> b) {
            if (a == b) {
                return true;
            }
            boolean[] seen = new boolean[ops.size()];
            ArrayDeque<Operation<KvCall, Optional<String>>> q = new ArrayDeque<>();
            q.add(a);
            while (!q.isEmpty()) {
                var x = q.poll();
                for (int i = 0; i < ops.size(); i++) {
                    var y = ops.get(i);
                    if (!seen[i] && (soEdge(x, y) || rfEdge(x, y))) {
                        if (y == b) {
                            return true;
                        }
                        seen[i] = true;
                        q.add(y);
                    }
                }
            }
            return false;
        }

        void verify(CausalAnomaly a, String where) {
            List<CausalAnomaly.ChainStep> chain = a.chain();
            assertThat(chain).as(where).isNotEmpty();
            List<Operation<KvCall, Optional<String>>> nodes = new ArrayList<>();
            for (CausalAnomaly.ChainStep st : chain) {
                nodes.add(op(st.op(), where));
            }
            for (int i = 1; i < nodes.size(); i++) {
                var prev = nodes.get(i - 1);
                var next = nodes.get(i);
                String via = chain.get(i).via();
                assertThat(via).as(where).isNotNull();
                boolean ok = switch (via) {
                    case "session order" -> soEdge(prev, next);
                    case "read from" -> rfEdge(prev, next);
                    default -> via.startsWith("arbitration") && write(prev) && write(next)
                            && prev.input().key().equals(next.input().key());
                };
                assertThat(ok).as(where + ": " + via + " from " + chain.get(i - 1).op() + " to " + chain.get(i).op())
                        .isTrue();
            }
            switch (a.kind()) {
                case "cyclic-causality", "arbitration-cycle" ->
                        assertThat(nodes.get(0)).as(where).isSameAs(nodes.get(nodes.size() - 1));
                case "thin-air-read" -> {
                    var r = op(a.read(), where);
                    String v = r.output().orElseThrow();
                    assertThat(ops).as(where).noneMatch(o -> o.input().kind() == KvCall.Kind.PUT
                            && o.input().key().equals(r.input().key()) && o.input().value().equals(v));
                }
                default -> verifyStale(a, nodes, where);
            }
            if (a.kind().equals("arbitration-cycle")) {
                assertThat(chain).as(where).anyMatch(s -> s.via() != null && s.via().startsWith("arbitration"));
            }
        }

        private void verifyStale(CausalAnomaly a, List<Operation<KvCall, Optional<String>>> nodes, String where) {
            var r = op(a.read(), where);
            assertThat(nodes.get(nodes.size() - 1)).as(where).isSameAs(r);
            assertThat(a.chain()).as(where).noneMatch(s -> s.via() != null && s.via().startsWith("arbitration"));
            var newer = op(a.newerWrites().get(0), where);
            assertThat(nodes).as(where).contains(newer);
            assertThat(newer.input().key()).as(where).isEqualTo(r.input().key());
            assertThat(reach(newer, r)).as(where).isTrue();
            if (a.readFrom() != null) {
                var w = op(a.readFrom(), where);
                assertThat(rfEdge(w, r)).as(where).isTrue();
                assertThat(nodes.get(0)).as(where).isSameAs(w);
                assertThat(newer).as(where).isNotSameAs(w);
                assertThat(reach(w, newer)).as(where).isTrue();
            } else {
                assertThat(r.output()).as(where).isEmpty();
                assertThat(newer.input().kind()).as(where).isEqualTo(KvCall.Kind.PUT);
                // No delete of the key can explain the absent read.
                String key = r.input().key();
                List<Operation<KvCall, Optional<String>>> seenPuts = ops.stream()
                        .filter(o -> o.input().kind() == KvCall.Kind.PUT && o.input().key().equals(key) && reach(o, r))
                        .toList();
                for (var d : ops) {
                    if (d.input().kind() == KvCall.Kind.DELETE && d.input().key().equals(key)) {
                        boolean explains = !reach(r, d) && seenPuts.stream().noneMatch(p -> reach(d, p));
                        assertThat(explains).as(where + ": " + d + " explains " + r).isFalse();
                    }
                }
            }
        }
    }
}
