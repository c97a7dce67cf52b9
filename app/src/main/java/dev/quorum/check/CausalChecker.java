package dev.quorum.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checks a Quorum history for causal consistency with convergent last-writer-wins (causal+, "CCv" in
 * Bouajjani, Enea, Guerraoui and Hamza, "On verifying causal consistency", POPL 2017). The definition, the
 * anomaly kinds and what is left out are in docs/consistency.md, "Checking causal consistency".
 *
 * <p>In short: causal order co is the transitive closure of session order (each process is one session, one
 * operation at a time) and read-from (a get returning v read the unique put of v). co must be acyclic; and
 * there must be one total arbitration order of the writes that contains co and in which every read returns the
 * last write, among those in its causal past, of its key. A read that returns a write w although another write
 * w' of the key is in its causal past and causally after w is reported with the chain of operations that shows
 * it (read-your-writes, monotonic-reads or causal-order); any other contradiction in the arbitration order is
 * reported as a cycle.
 *
 * <p>Reachability in co is answered with vector clocks: for each operation, the index in each session of the
 * latest operation of that session in its causal past. Memory is operations × sessions ints; time is about
 * operations × sessions × log(operations per session and key). Stateless and thread-safe.
 */
public final class CausalChecker {
    /** Anomalies described in full by default (all are counted). */
    public static final int DEFAULT_MAX_ANOMALIES = 100;
    /** Earlier reads of a session looked at to tell monotonic-reads from causal-order. */
    private static final int MAX_SESSION_SCAN = 4096;

    private final int maxAnomalies;

    public CausalChecker() {
        this(DEFAULT_MAX_ANOMALIES);
    }

    /** @param maxAnomalies anomalies described in full; the rest are only counted */
    public CausalChecker(int maxAnomalies) {
        if (maxAnomalies < 0) {
            throw new IllegalArgumentException("maxAnomalies must not be negative");
        }
        this.maxAnomalies = maxAnomalies;
    }

    /**
     * Checks one history.
     *
     * @throws HistoryFormatException when the history breaks an assumption of the check: one process runs two
     *     operations at once, or two puts of a key write the same value
     */
    public CausalResult check(List<Operation<KvCall, Optional<String>>> history) throws HistoryFormatException {
        long start = System.nanoTime();
        Run run = new Run(history, maxAnomalies);
        run.run();
        return run.result(Duration.ofNanos(System.nanoTime() - start));
    }

    private static final byte PUT = 0;
    private static final byte GET = 1;
    private static final byte DELETE = 2;

    private static final byte SO = 0;
    private static final byte RF = 1;
    private static final byte ARB = 2;

    /** One check: the history turned into arrays indexed by node (an operation that takes part). */
    private static final class Run {
        private final List<Operation<KvCall, Optional<String>>> history;
        private final int maxAnomalies;

        private final Map<String, Integer> keyIds = new HashMap<>();
        private final List<String> keyNames = new ArrayList<>();
        private int sessions;
        private long[] processes;
        private int readsChecked;

        // nodes
        private int n;
        private Operation<KvCall, Optional<String>>[] op;
        private int[] sess;
        /** Chain nodes: 1-based index in their session's chain; others: the index of their chain predecessor. */
        private int[] idx;
        private boolean[] chain;
        private int[] key;
        private byte[] kind;
        /** The put a get read from; -1 for absent reads, thin-air reads and non-gets. */
        private int[] rf;
        private boolean[] thinAir;
        /** Gets whose read-from edge was dropped to break a cycle in causal order. */
        private boolean[] forced;
        /** chainNodes[s][i]: the node at index i (1-based) of session s's chain. */
        private int[][] chainNodes;
        private int[] vc;
        private int[] readerStart;
        private int[] readers;
        private final Map<KeyValue, Operation<KvCall, Optional<String>>> failedPuts = new HashMap<>();

        // per key and session: chain writes in chain order
        private IntList[][] putsKS;
        private IntList[][] delsKS;
        private int[][] firstUnknownDel;
        private IntList[] readUnknownPuts;

        // arbitration edges w' -> w, because of read r
        private final IntList arbFrom = new IntList();
        private final IntList arbTo = new IntList();
        private final IntList arbRead = new IntList();

        private final EnumMap<CausalAnomaly.Kind, Integer> counts = new EnumMap<>(CausalAnomaly.Kind.class);
        private final List<Found> found = new ArrayList<>();
        private int anomalyCount;

        Run(List<Operation<KvCall, Optional<String>>> history, int maxAnomalies) {
            this.history = history;
            this.maxAnomalies = maxAnomalies;
        }

        record KeyValue(int key, String value) {}

        /** An anomaly, with the time used to sort the report. */
        record Found(long at, CausalAnomaly anomaly) {}

        void run() throws HistoryFormatException {
            build();
            order();
            index();
            checkReads();
            checkArbitration();
        }

        CausalResult result(Duration elapsed) {
            Map<String, Integer> byKind = new LinkedHashMap<>();
            counts.forEach((k, v) -> byKind.put(k.wireName(), v));
            List<CausalAnomaly> described = found.stream()
                    .sorted(Comparator.comparingLong(Found::at))
                    .map(Found::anomaly).toList();
            return new CausalResult(anomalyCount == 0, history.size(), sessions, keyNames.size(), readsChecked,
                    anomalyCount, byKind, described, elapsed);
        }

        // ------------------------------------------------------------------ building

        private int keyId(String k) {
            Integer id = keyIds.get(k);
            if (id == null) {
                id = keyNames.size();
                keyIds.put(k, id);
                keyNames.add(k);
            }
            return id;
        }

        @SuppressWarnings("unchecked")
        private void build() throws HistoryFormatException {
            Map<Long, List<Operation<KvCall, Optional<String>>>> byProcess = new TreeMap<>();
            for (Operation<KvCall, Optional<String>> o : history) {
                keyId(o.input().key());
                byProcess.computeIfAbsent(o.process(), p -> new ArrayList<>()).add(o);
            }
            sessions = byProcess.size();
            processes = new long[sessions];
            List<List<Operation<KvCall, Optional<String>>>> bySession = new ArrayList<>();
            int nodes = 0;
            for (Map.Entry<Long, List<Operation<KvCall, Optional<String>>>> e : byProcess.entrySet()) {
                List<Operation<KvCall, Optional<String>>> ops = new ArrayList<>(e.getValue());
                ops.sort(Comparator.<Operation<KvCall, Optional<String>>>comparingLong(Operation::invokeNs)
                        .thenComparingLong(Operation::completeOrInfinity));
                checkOneAtATime(ops);
                processes[bySession.size()] = e.getKey();
                bySession.add(ops);
                for (Operation<KvCall, Optional<String>> o : ops) {
                    if (takesPart(o)) {
                        nodes++;
                    }
                }
            }
            n = nodes;
            op = new Operation[n];
            sess = new int[n];
            idx = new int[n];
            chain = new boolean[n];
            key = new int[n];
            kind = new byte[n];
            rf = new int[n];
            thinAir = new boolean[n];
            forced = new boolean[n];
            chainNodes = new int[sessions][];
            Arrays.fill(rf, -1);
            Map<KeyValue, Integer> puts = new HashMap<>();
            int x = 0;
            for (int s = 0; s < sessions; s++) {
                List<Operation<KvCall, Optional<String>>> ops = bySession.get(s);
                IntList chainList = new IntList();
                chainList.add(-1);
                for (Operation<KvCall, Optional<String>> o : ops) {
                    KvCall call = o.input();
                    if (o.outcome() == Outcome.FAIL && call.kind() == KvCall.Kind.PUT) {
                        failedPuts.putIfAbsent(new KeyValue(keyIds.get(call.key()), call.value()), o);
                    }
                    if (!takesPart(o)) {
                        continue;
                    }
                    op[x] = o;
                    sess[x] = s;
                    key[x] = keyIds.get(call.key());
                    kind[x] = switch (call.kind()) {
                        case PUT -> PUT;
                        case GET -> GET;
                        case DELETE -> DELETE;
                    };
                    if (o.outcome() == Outcome.OK) {
                        chain[x] = true;
                        idx[x] = chainList.size();
                        chainList.add(x);
                    } else {
                        idx[x] = chainList.size() - 1;
                    }
                    if (kind[x] == PUT) {
                        Integer other = puts.putIfAbsent(new KeyValue(key[x], call.value()), x);
                        if (other != null) {
                            throw new HistoryFormatException("two puts of key " + Quote.string(call.key())
                                    + " write the same value " + Quote.string(call.value()) + " (" + where(other)
                                    + " and " + where(x) + "): the causal check needs every put's value to be unique,"
                                    + " to know which put a read read from");
                        }
                    }
                    x++;
                }
                chainNodes[s] = chainList.toArray();
            }
            for (int g = 0; g < n; g++) {
                if (kind[g] == GET && op[g].output().isPresent()) {
                    Integer w = puts.get(new KeyValue(key[g], op[g].output().get()));
                    if (w == null) {
                        thinAir[g] = true;
                    } else {
                        rf[g] = w;
                    }
                }
            }
        }

        /** Failed operations did not happen; a read of unknown outcome read nothing anyone saw. */
        private static boolean takesPart(Operation<KvCall, Optional<String>> o) {
            return o.outcome() == Outcome.OK
                    || (o.outcome() == Outcome.UNKNOWN && o.input().kind() != KvCall.Kind.GET);
        }

        private static void checkOneAtATime(List<Operation<KvCall, Optional<String>>> ops) throws HistoryFormatException {
            for (int i = 1; i < ops.size(); i++) {
                Operation<KvCall, Optional<String>> a = ops.get(i - 1);
                Operation<KvCall, Optional<String>> b = ops.get(i);
                // An operation of unknown outcome has no completion: its client gave up on it and went on.
                if (a.completeNs().isPresent() && b.invokeNs() < a.completeNs().getAsLong()) {
                    throw new HistoryFormatException("process " + a.process() + " runs two operations at once: "
                            + text(a) + " and " + text(b) + ". The causal model takes each process to be one"
                            + " client session issuing one operation at a time; give concurrent clients their own"
                            + " process numbers");
                }
            }
        }

        private static String text(Operation<KvCall, Optional<String>> o) {
            Violation.Step s = Violation.Step.of(KvRegisterModel.INSTANCE, o);
            return s.operation() + " (" + s.outcome() + ", " + s.invokeNs() + " .. "
                    + (s.completeNs() == null ? "open" : s.completeNs()) + ")";
        }

        private String where(int node) {
            return "process " + op[node].process() + " at " + op[node].invokeNs();
        }

        /** The chain node just before {@code x} in session order; -1 if none. */
        private int pred(int x) {
            int i = chain[x] ? idx[x] - 1 : idx[x];
            return i > 0 ? chainNodes[sess[x]][i] : -1;
        }

        // ------------------------------------------------------------------ causal order

        /**
         * Topological order of session order ∪ read-from (Kahn), vector clocks on the way. A cycle is reported
         * ({@link CausalAnomaly.Kind#CYCLIC_CAUSALITY}) and broken by dropping one read-from edge, so the rest of
         * the check runs on a smaller causal order (which can only hide anomalies, never invent them).
         */
        private void order() {
            int[] indeg = new int[n];
            int[] succStart = new int[n + 1];
            for (int x = 0; x < n; x++) {
                int p = pred(x);
                if (p >= 0) {
                    succStart[p + 1]++;
                    indeg[x]++;
                }
                if (rf[x] >= 0) {
                    succStart[rf[x] + 1]++;
                    indeg[x]++;
                }
            }
            for (int i = 0; i < n; i++) {
                succStart[i + 1] += succStart[i];
            }
            int[] succ = new int[succStart[n]];
            int[] fill = Arrays.copyOf(succStart, n);
            for (int x = 0; x < n; x++) {
                int p = pred(x);
                if (p >= 0) {
                    succ[fill[p]++] = x;
                }
                if (rf[x] >= 0) {
                    succ[fill[rf[x]]++] = x;
                }
            }
            vc = new int[Math.multiplyExact(n, Math.max(sessions, 1))];
            boolean[] done = new boolean[n];
            int[] front = new int[sessions];
            Arrays.fill(front, 1);
            int[] queue = new int[n];
            int head = 0;
            int tail = 0;
            for (int x = 0; x < n; x++) {
                if (indeg[x] == 0) {
                    queue[tail++] = x;
                }
            }
            int processed = 0;
            while (processed < n) {
                while (head < tail) {
                    int x = queue[head++];
                    done[x] = true;
                    processed++;
                    clock(x);
                    if (chain[x]) {
                        front[sess[x]] = idx[x] + 1;
                    }
                    for (int i = succStart[x]; i < succStart[x + 1]; i++) {
                        int y = succ[i];
                        if (y >= 0 && !(forced[y] && rf[y] == x) && --indeg[y] == 0) {
                            queue[tail++] = y;
                        }
                    }
                }
                if (processed < n) {
                    int g = breakCycle(front, done);
                    forced[g] = true;
                    if (--indeg[g] == 0) {
                        queue[tail++] = g;
                    }
                }
            }
            // Readers of each put, without the dropped edges.
            readerStart = new int[n + 1];
            for (int g = 0; g < n; g++) {
                if (rf[g] >= 0 && !forced[g]) {
                    readerStart[rf[g] + 1]++;
                }
            }
            for (int i = 0; i < n; i++) {
                readerStart[i + 1] += readerStart[i];
            }
            readers = new int[readerStart[n]];
            fill = Arrays.copyOf(readerStart, n);
            for (int g = 0; g < n; g++) {
                if (rf[g] >= 0 && !forced[g]) {
                    readers[fill[rf[g]]++] = g;
                }
            }
        }

        private void clock(int x) {
            int base = x * sessions;
            int p = pred(x);
            if (p >= 0) {
                System.arraycopy(vc, p * sessions, vc, base, sessions);
            }
            if (rf[x] >= 0 && !forced[x]) {
                int o = rf[x] * sessions;
                for (int s = 0; s < sessions; s++) {
                    if (vc[o + s] > vc[base + s]) {
                        vc[base + s] = vc[o + s];
                    }
                }
            }
            if (chain[x]) {
                vc[base + sess[x]] = idx[x];
            }
        }

        /**
         * Kahn's algorithm is stuck: every session's first unprocessed operation is a get waiting for the put it
         * read, which is itself waiting. Walk from session to session along those gets until one repeats: that is
         * a cycle. Report it and return the get whose read-from edge to drop.
         */
        private int breakCycle(int[] front, boolean[] done) {
            int s0 = -1;
            for (int s = 0; s < sessions; s++) {
                if (front[s] < chainNodes[s].length) {
                    s0 = s;
                    break;
                }
            }
            if (s0 < 0) {
                throw new IllegalStateException("causal order is stuck without a waiting session");
            }
            int[] seenAt = new int[sessions];
            Arrays.fill(seenAt, -1);
            IntList gets = new IntList();
            IntList puts = new IntList();
            int s = s0;
            while (seenAt[s] < 0) {
                seenAt[s] = gets.size();
                int f = chainNodes[s][front[s]];
                if (kind[f] != GET || rf[f] < 0 || forced[f] || done[rf[f]]) {
                    throw new IllegalStateException("causal order is stuck on " + text(op[f]));
                }
                gets.add(f);
                puts.add(rf[f]);
                s = sess[rf[f]];
            }
            int from = seenAt[s];
            int last = gets.size() - 1;
            // gets[i] reads puts[i], which is in the session of gets[i + 1] (at or after it), and puts[last] is in
            // the session of gets[from]. Forward: gets[from] -so-> puts[last] -rf-> gets[last] -so-> ... -rf-> gets[from].
            List<int[]> cycle = new ArrayList<>();
            cycle.add(new int[] {gets.get(from), -1});
            for (int i = last; i >= from; i--) {
                cycle.add(new int[] {puts.get(i), SO});
                cycle.add(new int[] {gets.get(i), RF});
            }
            int g = gets.get(from);
            count(CausalAnomaly.Kind.CYCLIC_CAUSALITY);
            if (wantMore()) {
                List<CausalAnomaly.ChainStep> steps = new ArrayList<>();
                for (int[] c : cycle) {
                    steps.add(new CausalAnomaly.ChainStep(c[1] < 0 ? null : via((byte) c[1], -1), step(c[0])));
                }
                StringBuilder b = new StringBuilder();
                b.append("Session order and read-from make a cycle: ");
                b.append(describe(g)).append(" is in its own causal past. ");
                b.append("Each operation below follows the one before it (same process later, or it read its value),"
                        + " and the chain comes back to where it started; no execution produces that.");
                found.add(new Found(op[g].invokeNs(), new CausalAnomaly(CausalAnomaly.Kind.CYCLIC_CAUSALITY.wireName(),
                        keyNames.get(key[g]), null, null, null, List.of(), steps, operations(cycle.stream()
                        .mapToInt(c -> c[0]).toArray()), b.toString())));
            }
            return g;
        }

        // ------------------------------------------------------------------ reachability

        /** a ⪯co x: a is x or in x's causal past. */
        private boolean reach(int a, int x) {
            if (a == x) {
                return true;
            }
            if (chain[a]) {
                return vc[x * sessions + sess[a]] >= idx[a];
            }
            for (int i = readerStart[a]; i < readerStart[a + 1]; i++) {
                if (reach(readers[i], x)) {
                    return true;
                }
            }
            return false;
        }

        private void index() {
            int keys = keyNames.size();
            putsKS = new IntList[keys][];
            delsKS = new IntList[keys][];
            firstUnknownDel = new int[keys][];
            readUnknownPuts = new IntList[keys];
            for (int x = 0; x < n; x++) {
                int k = key[x];
                if (kind[x] == GET) {
                    continue;
                }
                if (chain[x]) {
                    IntList[][] lists = kind[x] == PUT ? putsKS : delsKS;
                    if (lists[k] == null) {
                        lists[k] = new IntList[sessions];
                    }
                    if (lists[k][sess[x]] == null) {
                        lists[k][sess[x]] = new IntList();
                    }
                    lists[k][sess[x]].add(x);
                } else if (kind[x] == PUT) {
                    if (readerStart[x + 1] > readerStart[x]) {
                        if (readUnknownPuts[k] == null) {
                            readUnknownPuts[k] = new IntList();
                        }
                        readUnknownPuts[k].add(x);
                    }
                } else {
                    if (firstUnknownDel[k] == null) {
                        firstUnknownDel[k] = new int[sessions];
                        Arrays.fill(firstUnknownDel[k], -1);
                    }
                    if (firstUnknownDel[k][sess[x]] < 0) {
                        firstUnknownDel[k][sess[x]] = x;
                    }
                }
            }
        }

        /** The last node of {@code list} (in chain order) at chain index at most {@code hi}; -1 if none. */
        private int latestAtMost(IntList list, int hi) {
            if (list == null) {
                return -1;
            }
            int lo = 0;
            int up = list.size() - 1;
            int best = -1;
            while (lo <= up) {
                int mid = (lo + up) >>> 1;
                if (idx[list.get(mid)] <= hi) {
                    best = list.get(mid);
                    lo = mid + 1;
                } else {
                    up = mid - 1;
                }
            }
            return best;
        }

        /** The first node of {@code list} at chain index above {@code lo}; -1 if none. */
        private int firstAbove(IntList list, int lo) {
            if (list == null) {
                return -1;
            }
            int a = 0;
            int b = list.size() - 1;
            int best = -1;
            while (a <= b) {
                int mid = (a + b) >>> 1;
                if (idx[list.get(mid)] > lo) {
                    best = list.get(mid);
                    b = mid - 1;
                } else {
                    a = mid + 1;
                }
            }
            return best;
        }

        /**
         * Writes of key k in x's causal past (x excluded), enough to stand for all of them: in each session the
         * latest one, plus every put of unknown outcome some read made visible.
         */
        private void visible(int x, int k, boolean deletes, IntList out) {
            out.clear();
            IntList[] ps = putsKS[k];
            IntList[] ds = deletes ? delsKS[k] : null;
            if (ps != null || ds != null) {
                int base = x * sessions;
                for (int s = 0; s < sessions; s++) {
                    int hi = vc[base + s];
                    if (chain[x] && s == sess[x]) {
                        hi = idx[x] - 1;
                    }
                    if (hi <= 0) {
                        continue;
                    }
                    int p = ps == null ? -1 : latestAtMost(ps[s], hi);
                    int d = ds == null ? -1 : latestAtMost(ds[s], hi);
                    int w = p < 0 ? d : d < 0 ? p : idx[p] > idx[d] ? p : d;
                    if (w >= 0) {
                        out.add(w);
                    }
                }
            }
            IntList us = readUnknownPuts[k];
            if (us != null) {
                for (int i = 0; i < us.size(); i++) {
                    int u = us.get(i);
                    if (u != x && reach(u, x)) {
                        out.add(u);
                    }
                }
            }
        }

        // ------------------------------------------------------------------ reads

        private void checkReads() {
            Integer[] gets = java.util.stream.IntStream.range(0, n).filter(x -> kind[x] == GET).boxed()
                    .toArray(Integer[]::new);
            Arrays.sort(gets, Comparator.comparingLong((Integer x) -> op[x].invokeNs()).thenComparingInt(x -> x));
            IntList seen = new IntList();
            IntList newer = new IntList();
            for (int r : gets) {
                readsChecked++;
                if (thinAir[r]) {
                    thinAir(r);
                } else if (rf[r] >= 0) {
                    checkValueRead(r, seen, newer);
                } else {
                    checkAbsentRead(r, seen);
                }
            }
        }

        private void thinAir(int r) {
            count(CausalAnomaly.Kind.THIN_AIR_READ);
            if (!wantMore()) {
                return;
            }
            String value = op[r].output().orElseThrow();
            Operation<KvCall, Optional<String>> failed = failedPuts.get(new KeyValue(key[r], value));
            List<Violation.Step> ops = new ArrayList<>();
            ops.add(step(r));
            String why;
            if (failed != null) {
                Violation.Step f = Violation.Step.of(KvRegisterModel.INSTANCE, failed);
                ops.add(0, f);
                why = "; the only put of that value failed (" + f.operation() + ", process " + f.process() + ", "
                        + f.invokeNs() + " .. " + f.completeNs() + "), and a failed operation did not happen.";
            } else {
                why = ", which no put of " + Quote.string(keyNames.get(key[r])) + " in the history wrote.";
            }
            found.add(new Found(op[r].invokeNs(), new CausalAnomaly(CausalAnomaly.Kind.THIN_AIR_READ.wireName(),
                    keyNames.get(key[r]), step(r), value, null, List.of(),
                    List.of(new CausalAnomaly.ChainStep(null, step(r))), ops,
                    capitalize(describe(r)) + " returned " + Quote.string(value) + why)));
        }

        private void checkValueRead(int r, IntList seen, IntList newer) {
            int w = rf[r];
            visible(r, key[r], true, seen);
            newer.clear();
            for (int i = 0; i < seen.size(); i++) {
                int w2 = seen.get(i);
                if (w2 == w) {
                    continue;
                }
                if (reach(w, w2)) {
                    newer.add(w2);
                } else if (!reach(w2, w)) {
                    arbFrom.add(w2);
                    arbTo.add(w);
                    arbRead.add(r);
                }
            }
            if (newer.size() == 0) {
                return;
            }
            int k = key[r];
            int s = sess[r];
            CausalAnomaly.Kind kindFound = CausalAnomaly.Kind.CAUSAL_ORDER;
            int shown = newer.get(0);
            int own = ownLatestWrite(k, s, idx[r] - 1);
            if (own >= 0 && own != w && reach(w, own)) {
                kindFound = CausalAnomaly.Kind.READ_YOUR_WRITES;
                shown = own;
            } else {
                int earlier = earlierReadOf(r, x -> x != w && reach(w, x));
                if (earlier >= 0) {
                    kindFound = CausalAnomaly.Kind.MONOTONIC_READS;
                    shown = rf[earlier];
                }
            }
            count(kindFound);
            if (!wantMore()) {
                return;
            }
            List<Link> links = new ArrayList<>(path(w, shown));
            List<Link> tail = path(shown, r);
            links.addAll(tail.subList(1, tail.size()));
            String why = switch (kindFound) {
                case READ_YOUR_WRITES -> "its own session wrote " + describe(shown) + " before the read";
                case MONOTONIC_READS -> "its session had already read " + describe(shown);
                default -> describe(shown) + " is in the read's causal past through other sessions";
            };
            String text = capitalize(describe(r)) + " returned the value of " + describe(w) + ", but " + why
                    + ", and that write is causally after " + describe(w) + " (see the chain). A causally"
                    + " consistent store never returns a value that a write in the reader's causal past has"
                    + " already overwritten" + (newer.size() > 1 ? " (" + newer.size() + " such writes here)" : "")
                    + ".";
            List<Violation.Step> newerSteps = new ArrayList<>();
            newerSteps.add(step(shown));
            for (int i = 0; i < newer.size() && newerSteps.size() < 10; i++) {
                if (newer.get(i) != shown) {
                    newerSteps.add(step(newer.get(i)));
                }
            }
            found.add(new Found(op[r].invokeNs(), new CausalAnomaly(kindFound.wireName(), keyNames.get(k), step(r),
                    op[r].output().orElseThrow(), step(w), newerSteps, steps(links), operations(links), text)));
        }

        private void checkAbsentRead(int r, IntList seen) {
            int k = key[r];
            visible(r, k, false, seen);
            if (seen.size() == 0 || canBeDeleted(r, k, seen)) {
                return;
            }
            int s = sess[r];
            CausalAnomaly.Kind kindFound = CausalAnomaly.Kind.CAUSAL_ORDER;
            int shown = seen.get(0);
            for (int i = 1; i < seen.size(); i++) {
                if (op[seen.get(i)].invokeNs() > op[shown].invokeNs()) {
                    shown = seen.get(i);
                }
            }
            int own = ownLatestWrite(k, s, idx[r] - 1);
            if (own >= 0 && kind[own] == PUT) {
                kindFound = CausalAnomaly.Kind.READ_YOUR_WRITES;
                shown = own;
            } else {
                int earlier = earlierReadOf(r, x -> true);
                if (earlier >= 0) {
                    kindFound = CausalAnomaly.Kind.MONOTONIC_READS;
                    shown = rf[earlier];
                }
            }
            count(kindFound);
            if (!wantMore()) {
                return;
            }
            List<Link> links = path(shown, r);
            String why = switch (kindFound) {
                case READ_YOUR_WRITES -> ", which its own session wrote before the read";
                case MONOTONIC_READS -> ", whose value its session had already read";
                default -> " through other sessions (see the chain)";
            };
            boolean anyDelete = delsKS[k] != null || firstUnknownDel[k] != null;
            String text = capitalize(describe(r)) + " found the key absent, but " + describe(shown)
                    + " is in its causal past" + why + ", and no delete of " + Quote.string(keyNames.get(k))
                    + " can explain the absence: " + (anyDelete
                            ? "every delete of the key is causally before a put the read has seen, or causally"
                                    + " after the read."
                            : "the history has no delete of the key.");
            List<Violation.Step> newerSteps = new ArrayList<>();
            newerSteps.add(step(shown));
            for (int i = 0; i < seen.size() && newerSteps.size() < 10; i++) {
                if (seen.get(i) != shown) {
                    newerSteps.add(step(seen.get(i)));
                }
            }
            found.add(new Found(op[r].invokeNs(), new CausalAnomaly(kindFound.wireName(), keyNames.get(k), step(r),
                    null, null, newerSteps, steps(links), operations(links), text)));
        }

        /**
         * Whether some delete of k (ok or unknown) could be what the absent read r saw: not causally before any
         * put r has seen ({@code puts}: in each session the latest, which stands for the earlier ones), and not
         * causally after r. Sound, not complete: see docs/consistency.md.
         */
        private boolean canBeDeleted(int r, int k, IntList puts) {
            IntList[] ds = delsKS[k];
            int[] uds = firstUnknownDel[k];
            int rs = sess[r];
            for (int s = 0; s < sessions; s++) {
                if (ds != null && ds[s] != null) {
                    int bound = 0;
                    for (int i = 0; i < puts.size(); i++) {
                        bound = Math.max(bound, vc[puts.get(i) * sessions + s]);
                    }
                    int d = firstAbove(ds[s], bound);
                    if (d >= 0 && vc[d * sessions + rs] < idx[r]) {
                        return true;
                    }
                }
                // A delete of unknown outcome is in no one's causal past: it is before no put.
                if (uds != null && uds[s] >= 0 && vc[uds[s] * sessions + rs] < idx[r]) {
                    return true;
                }
            }
            return false;
        }

        private int ownLatestWrite(int k, int s, int hi) {
            int p = putsKS[k] == null ? -1 : latestAtMost(putsKS[k][s], hi);
            int d = delsKS[k] == null ? -1 : latestAtMost(delsKS[k][s], hi);
            return p < 0 ? d : d < 0 ? p : idx[p] > idx[d] ? p : d;
        }

        /** The latest earlier get of r's session and key that read a put accepted by {@code test}; -1 if none. */
        private int earlierReadOf(int r, java.util.function.IntPredicate test) {
            int[] c = chainNodes[sess[r]];
            for (int i = idx[r] - 1, seen = 0; i >= 1 && seen < MAX_SESSION_SCAN; i--, seen++) {
                int g = c[i];
                if (kind[g] == GET && key[g] == key[r] && rf[g] >= 0 && test.test(rf[g])) {
                    return g;
                }
            }
            return -1;
        }

        // ------------------------------------------------------------------ arbitration

        /**
         * One graph over all operations: session order, read-from, and the arbitration constraints the reads
         * gave (w' before w when a read saw w' and returned w). Arbitration is one total order of all writes
         * that contains causal order, so a cycle here (Tarjan's strongly connected components) is an anomaly.
         * The constraints of reads already reported as stale are left out: their cycles are reported.
         */
        private void checkArbitration() {
            int m = arbFrom.size();
            if (m == 0) {
                return;
            }
            int[] outStart = new int[n + 1];
            for (int x = 0; x < n; x++) {
                int p = pred(x);
                if (p >= 0) {
                    outStart[p + 1]++;
                }
                if (rf[x] >= 0 && !forced[x]) {
                    outStart[rf[x] + 1]++;
                }
            }
            for (int i = 0; i < m; i++) {
                outStart[arbFrom.get(i) + 1]++;
            }
            for (int i = 0; i < n; i++) {
                outStart[i + 1] += outStart[i];
            }
            int e = outStart[n];
            int[] to = new int[e];
            byte[] type = new byte[e];
            int[] label = new int[e];
            int[] fill = Arrays.copyOf(outStart, n);
            for (int x = 0; x < n; x++) {
                int p = pred(x);
                if (p >= 0) {
                    int j = fill[p]++;
                    to[j] = x;
                    type[j] = SO;
                    label[j] = -1;
                }
                if (rf[x] >= 0 && !forced[x]) {
                    int j = fill[rf[x]]++;
                    to[j] = x;
                    type[j] = RF;
                    label[j] = -1;
                }
            }
            for (int i = 0; i < m; i++) {
                int j = fill[arbFrom.get(i)]++;
                to[j] = arbTo.get(i);
                type[j] = ARB;
                label[j] = arbRead.get(i);
            }
            int[] comp = scc(outStart, to);
            int comps = 0;
            for (int c : comp) {
                comps = Math.max(comps, c + 1);
            }
            int[] size = new int[comps];
            for (int c : comp) {
                size[c]++;
            }
            boolean[] reported = new boolean[comps];
            int[] parent = new int[n];
            int[] parentEdge = new int[n];
            int[] stamp = new int[n];
            int round = 0;
            for (int i = 0; i < m; i++) {
                int a = arbFrom.get(i);
                int b = arbTo.get(i);
                int c = comp[a];
                if (c != comp[b] || size[c] < 2 || reported[c]) {
                    continue;
                }
                reported[c] = true;
                count(CausalAnomaly.Kind.ARBITRATION_CYCLE);
                if (!wantMore()) {
                    continue;
                }
                // Shortest way back from b to a inside the component (breadth first).
                round++;
                int[] queue = new int[size[c]];
                int head = 0;
                int tail = 0;
                queue[tail++] = b;
                stamp[b] = round;
                parent[b] = -1;
                while (head < tail && stamp[a] != round) {
                    int x = queue[head++];
                    for (int j = outStart[x]; j < outStart[x + 1]; j++) {
                        int y = to[j];
                        if (comp[y] == c && stamp[y] != round) {
                            stamp[y] = round;
                            parent[y] = x;
                            parentEdge[y] = j;
                            queue[tail++] = y;
                        }
                    }
                }
                List<CausalAnomaly.ChainStep> back = new ArrayList<>();
                for (int x = a; x != b; x = parent[x]) {
                    int j = parentEdge[x];
                    back.add(new CausalAnomaly.ChainStep(via(type[j], label[j]), step(x)));
                }
                List<CausalAnomaly.ChainStep> steps = new ArrayList<>();
                steps.add(new CausalAnomaly.ChainStep(null, step(a)));
                steps.add(new CausalAnomaly.ChainStep(via(ARB, arbRead.get(i)), step(b)));
                for (int j = back.size() - 1; j >= 0; j--) {
                    steps.add(back.get(j));
                }
                int r = arbRead.get(i);
                IntList nodes = new IntList();
                nodes.add(r);
                nodes.add(a);
                nodes.add(b);
                for (int x = a; x != b; x = parent[x]) {
                    nodes.add(x);
                    if (type[parentEdge[x]] == ARB) {
                        nodes.add(label[parentEdge[x]]);
                    }
                }
                String text = "No last-writer-wins order of the writes fits: " + describe(r) + " saw both "
                        + describe(a) + " and " + describe(b) + " and returned the latter, so " + describe(a)
                        + " must be ordered before it; but following the chain (causal order, and what other reads"
                        + " returned) " + describe(b) + " must also be ordered before " + describe(a) + ".";
                found.add(new Found(op[r].invokeNs(), new CausalAnomaly(CausalAnomaly.Kind.ARBITRATION_CYCLE.wireName(),
                        keyNames.get(key[r]), step(r), op[r].output().orElse(null), step(b), List.of(step(a)), steps,
                        operations(nodes.toArray()), text)));
            }
        }

        /** Strongly connected components (Tarjan, iterative); returns each node's component number. */
        private int[] scc(int[] outStart, int[] to) {
            int[] index = new int[n];
            int[] low = new int[n];
            int[] comp = new int[n];
            Arrays.fill(index, -1);
            boolean[] onStack = new boolean[n];
            int[] stack = new int[n];
            int sp = 0;
            int[] callNode = new int[n];
            int[] callEdge = new int[n];
            int next = 0;
            int comps = 0;
            for (int root = 0; root < n; root++) {
                if (index[root] >= 0) {
                    continue;
                }
                int depth = 0;
                callNode[0] = root;
                callEdge[0] = outStart[root];
                index[root] = low[root] = next++;
                stack[sp++] = root;
                onStack[root] = true;
                while (depth >= 0) {
                    int v = callNode[depth];
                    if (callEdge[depth] < outStart[v + 1]) {
                        int w = to[callEdge[depth]++];
                        if (index[w] < 0) {
                            index[w] = low[w] = next++;
                            stack[sp++] = w;
                            onStack[w] = true;
                            depth++;
                            callNode[depth] = w;
                            callEdge[depth] = outStart[w];
                        } else if (onStack[w]) {
                            low[v] = Math.min(low[v], index[w]);
                        }
                    } else {
                        if (low[v] == index[v]) {
                            int w;
                            do {
                                w = stack[--sp];
                                onStack[w] = false;
                                comp[w] = comps;
                            } while (w != v);
                            comps++;
                        }
                        depth--;
                        if (depth >= 0) {
                            int u = callNode[depth];
                            low[u] = Math.min(low[u], low[v]);
                        }
                    }
                }
            }
            return comp;
        }

        // ------------------------------------------------------------------ explanations

        /**
         * A chain of operations from a to x (a ⪯co x), each step by session order or read-from. Runs of
         * session order are one step; the read-from steps are where a entered each session's causal past
         * first.
         */
        private List<Link> path(int a, int x) {
            List<Link> back = new ArrayList<>();
            int cur = x;
            byte via = -1;
            for (int guard = 0; guard <= 2 * n + 2; guard++) {
                back.add(new Link(cur, via < 0 ? null : via(via, -1)));
                if (cur == a) {
                    break;
                }
                int s = sess[cur];
                int hi = idx[cur]; // a chain op's own index, or the index of an unknown op's chain predecessor
                if (chain[a] && sess[a] == s && idx[a] <= hi) {
                    cur = a;
                    via = SO;
                    continue;
                }
                int y = earliestReaching(a, s, hi);
                if (y < 0) {
                    throw new IllegalStateException("no causal chain from " + text(op[a]) + " to " + text(op[x]));
                }
                if (y == cur) {
                    if (rf[cur] < 0 || forced[cur]) {
                        throw new IllegalStateException("no read-from edge into " + text(op[cur]));
                    }
                    cur = rf[cur];
                    via = RF;
                } else {
                    cur = y;
                    via = SO;
                }
            }
            // back holds x first; each step's via says how the *next-later* op follows it. Reverse and shift.
            List<Link> forward = new ArrayList<>(back.size());
            for (int i = back.size() - 1; i >= 0; i--) {
                String v = i == back.size() - 1 ? null : back.get(i + 1).via();
                forward.add(new Link(back.get(i).node(), v));
            }
            return forward;
        }

        /** One step of a chain, by node. */
        record Link(int node, String via) {}

        private List<CausalAnomaly.ChainStep> steps(List<Link> links) {
            return links.stream().map(l -> new CausalAnomaly.ChainStep(l.via(), step(l.node()))).toList();
        }

        private List<Violation.Step> operations(List<Link> links, int... more) {
            IntList nodes = new IntList();
            links.forEach(l -> nodes.add(l.node()));
            for (int x : more) {
                nodes.add(x);
            }
            return operations(nodes.toArray());
        }

        /** The earliest chain op of session s at index at most hi with a in its causal past; -1 if none. */
        private int earliestReaching(int a, int s, int hi) {
            int lo = 1;
            int up = hi;
            int best = -1;
            while (lo <= up) {
                int mid = (lo + up) >>> 1;
                int y = chainNodes[s][mid];
                if (reach(a, y)) {
                    best = y;
                    up = mid - 1;
                } else {
                    lo = mid + 1;
                }
            }
            return best;
        }

        private String via(byte type, int read) {
            return switch (type) {
                case SO -> "session order";
                case RF -> "read from";
                default -> "arbitration: " + describe(read) + " saw both writes and returned this one";
            };
        }

        private Violation.Step step(int x) {
            return Violation.Step.of(KvRegisterModel.INSTANCE, op[x]);
        }

        private List<Violation.Step> operations(int[] nodes) {
            int[] sorted = Arrays.stream(nodes).filter(x -> x >= 0).distinct().toArray();
            Integer[] boxed = Arrays.stream(sorted).boxed().toArray(Integer[]::new);
            Arrays.sort(boxed, Comparator.comparingLong((Integer x) -> op[x].invokeNs()).thenComparingInt(x -> x));
            List<Violation.Step> out = new ArrayList<>();
            for (int x : boxed) {
                out.add(step(x));
            }
            return out;
        }

        private String describe(int x) {
            Violation.Step s = step(x);
            return s.operation() + " (process " + s.process() + ", " + s.invokeNs() + " .. "
                    + (s.completeNs() == null ? "open" : s.completeNs()) + (chain[x] ? "" : ", " + s.outcome()) + ")";
        }

        private static String capitalize(String s) {
            return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }

        private void count(CausalAnomaly.Kind k) {
            anomalyCount++;
            counts.merge(k, 1, Integer::sum);
        }

        /** Whether the anomaly just counted is to be described (the first {@code maxAnomalies} are). */
        private boolean wantMore() {
            return found.size() < maxAnomalies;
        }
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a = new int[4];
        private int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        int get(int i) {
            return a[i];
        }

        int size() {
            return size;
        }

        void clear() {
            size = 0;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
