package dev.quorum.check;

import dev.quorum.client.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Measures (does not judge) how stale successful reads are, in real time (docs/consistency.md, "Stale
 * reads"). A successful get r of key k is stale when it returns the value of put w although some ok put or
 * delete w' of k completed before r was invoked and was invoked after w completed (w →rt w' →rt r). A get that
 * finds k absent is stale when some ok put p of k completed before r was invoked and no delete of k (ok or of
 * unknown outcome) could explain it: none that was not finished before p was invoked and was invoked before r
 * completed. "Before" is strict: operations touching at one instant are concurrent.
 */
public final class StaleReads {
    /** Examples kept in a result. */
    public static final int MAX_EXAMPLES = 10;
    private static final long SECOND_NS = 1_000_000_000L;

    private StaleReads() {}

    /**
     * The measurement.
     *
     * @param okReads successful gets
     * @param staleReads of those, the stale ones
     * @param unmatchedReads successful gets that returned a value no put (ok or unknown) of the key wrote; they
     *     are neither stale nor fresh
     * @param perSecond one entry per second of invocation time (from the history's first invocation) that had
     *     a successful get, in order
     * @param examples up to {@link #MAX_EXAMPLES} stale reads, the first ones
     */
    public record Result(long okReads, long staleReads, long unmatchedReads, List<Bucket> perSecond,
            List<Example> examples) {

        public Result {
            perSecond = List.copyOf(perSecond);
            examples = List.copyOf(examples);
        }

        /** Stale reads over successful reads; 0 when there were none. */
        public double rate() {
            return okReads == 0 ? 0 : (double) staleReads / okReads;
        }

        public ObjectNode toJson() {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("ok_reads", okReads);
            o.put("stale_reads", staleReads);
            o.put("unmatched_reads", unmatchedReads);
            o.put("rate", rate());
            ArrayNode buckets = o.putArray("per_second");
            perSecond.forEach(b -> buckets.addObject().put("second", b.second()).put("ok_reads", b.okReads())
                    .put("stale_reads", b.staleReads()));
            ArrayNode ex = o.putArray("examples");
            examples.forEach(e -> ex.add(Json.MAPPER.valueToTree(e)));
            return o;
        }

        /** Lines for humans: the totals, the seconds that had stale reads, the examples. */
        public String text() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "stale reads: %,d of %,d successful reads (%.2f%%)", staleReads,
                    okReads, 100 * rate()));
            if (unmatchedReads > 0) {
                b.append(String.format(Locale.ROOT, "; %,d reads returned a value no put wrote (not counted)",
                        unmatchedReads));
            }
            b.append('\n');
            List<Bucket> stale = perSecond.stream().filter(x -> x.staleReads() > 0).toList();
            if (!stale.isEmpty()) {
                b.append("  per second (from the first operation; seconds without stale reads left out):\n");
                for (Bucket x : stale.subList(0, Math.min(stale.size(), 60))) {
                    b.append(String.format(Locale.ROOT, "    %5ds  %,d of %,d%n", x.second(), x.staleReads(),
                            x.okReads()));
                }
                if (stale.size() > 60) {
                    b.append("    … and ").append(stale.size() - 60).append(" more seconds (--json lists all)\n");
                }
            }
            if (!examples.isEmpty()) {
                b.append("  examples:\n");
                for (Example e : examples) {
                    b.append("    ").append(e.explanation()).append('\n');
                }
            }
            return b.toString();
        }
    }

    /** Successful and stale gets invoked in one second ({@code second} counts from the first invocation). */
    public record Bucket(long second, long okReads, long staleReads) {}

    /**
     * One stale read.
     *
     * @param value what it returned ({@code null}: absent)
     * @param readFrom the put it read from; {@code null} for an absent read
     * @param newer a write that completed before the read began and began after {@code readFrom} completed (for
     *     an absent read: a put that completed before the read began, with no delete to explain the absence)
     */
    public record Example(Violation.Step read, String value, Violation.Step readFrom, Violation.Step newer,
            String explanation) {}

    /** Per key: ok writes by completion with the running maximum of their invocations. */
    private static final class Latest {
        final long[] complete;
        final long[] maxInvoke;
        final int[] argMax;
        final List<Operation<KvCall, Optional<String>>> ops;

        Latest(List<Operation<KvCall, Optional<String>>> writes) {
            ops = new ArrayList<>(writes);
            ops.sort(Comparator.comparingLong(Operation::completeOrInfinity));
            int n = ops.size();
            complete = new long[n];
            maxInvoke = new long[n];
            argMax = new int[n];
            for (int i = 0; i < n; i++) {
                complete[i] = ops.get(i).completeOrInfinity();
                if (i == 0 || ops.get(i).invokeNs() > maxInvoke[i - 1]) {
                    maxInvoke[i] = ops.get(i).invokeNs();
                    argMax[i] = i;
                } else {
                    maxInvoke[i] = maxInvoke[i - 1];
                    argMax[i] = argMax[i - 1];
                }
            }
        }

        /** Of the writes completed strictly before t, the one invoked last; null if none. */
        Operation<KvCall, Optional<String>> latestBefore(long t) {
            int i = lastBelow(complete, t);
            return i < 0 ? null : ops.get(argMax[i]);
        }
    }

    /** Per key: deletes (ok or unknown) by invocation, with the running maximum of their completions. */
    private static final class Deletes {
        final long[] invoke;
        final long[] maxComplete;

        Deletes(List<Operation<KvCall, Optional<String>>> deletes) {
            List<Operation<KvCall, Optional<String>>> ops = new ArrayList<>(deletes);
            ops.sort(Comparator.comparingLong(Operation::invokeNs));
            invoke = new long[ops.size()];
            maxComplete = new long[ops.size()];
            for (int i = 0; i < ops.size(); i++) {
                invoke[i] = ops.get(i).invokeNs();
                maxComplete[i] = Math.max(i == 0 ? Long.MIN_VALUE : maxComplete[i - 1], ops.get(i).completeOrInfinity());
            }
        }

        /** Whether some delete invoked at or before {@code until} was still unfinished at {@code from}. */
        boolean explains(long from, long until) {
            int i = until == Long.MAX_VALUE ? invoke.length - 1 : lastBelow(invoke, until + 1);
            return i >= 0 && maxComplete[i] >= from;
        }
    }

    /** The last index whose value is strictly below t; -1 if none. */
    private static int lastBelow(long[] sorted, long t) {
        int lo = 0;
        int hi = sorted.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < t) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    public static Result measure(List<Operation<KvCall, Optional<String>>> history) {
        Map<String, List<Operation<KvCall, Optional<String>>>> writes = new HashMap<>();
        Map<String, List<Operation<KvCall, Optional<String>>>> puts = new HashMap<>();
        Map<String, List<Operation<KvCall, Optional<String>>>> deletes = new HashMap<>();
        Map<String, Map<String, Operation<KvCall, Optional<String>>>> byValue = new HashMap<>();
        List<Operation<KvCall, Optional<String>>> reads = new ArrayList<>();
        long first = Long.MAX_VALUE;
        for (Operation<KvCall, Optional<String>> op : history) {
            first = Math.min(first, op.invokeNs());
            KvCall c = op.input();
            if (op.outcome() == Outcome.FAIL) {
                continue;
            }
            switch (c.kind()) {
                case GET -> {
                    if (op.outcome() == Outcome.OK) {
                        reads.add(op);
                    }
                }
                case PUT -> {
                    byValue.computeIfAbsent(c.key(), k -> new HashMap<>()).putIfAbsent(c.value(), op);
                    if (op.outcome() == Outcome.OK) {
                        writes.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(op);
                        puts.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(op);
                    }
                }
                case DELETE -> {
                    deletes.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(op);
                    if (op.outcome() == Outcome.OK) {
                        writes.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(op);
                    }
                }
            }
        }
        Map<String, Latest> latestWrite = new HashMap<>();
        Map<String, Latest> latestPut = new HashMap<>();
        Map<String, Deletes> deletesByKey = new HashMap<>();
        writes.forEach((k, v) -> latestWrite.put(k, new Latest(v)));
        puts.forEach((k, v) -> latestPut.put(k, new Latest(v)));
        deletes.forEach((k, v) -> deletesByKey.put(k, new Deletes(v)));

        reads.sort(Comparator.comparingLong(Operation::invokeNs));
        long stale = 0;
        long unmatched = 0;
        TreeMap<Long, long[]> seconds = new TreeMap<>();
        List<Example> examples = new ArrayList<>();
        for (Operation<KvCall, Optional<String>> r : reads) {
            String key = r.input().key();
            long invoke = r.invokeNs();
            long[] bucket = seconds.computeIfAbsent(Math.floorDiv(invoke - first, SECOND_NS), s -> new long[2]);
            bucket[0]++;
            Example example = null;
            if (r.output().isPresent()) {
                Operation<KvCall, Optional<String>> w = byValue.getOrDefault(key, Map.of()).get(r.output().get());
                if (w == null) {
                    unmatched++;
                    continue;
                }
                Latest l = latestWrite.get(key);
                Operation<KvCall, Optional<String>> newer = l == null ? null : l.latestBefore(invoke);
                if (w.completeNs().isPresent() && newer != null && newer.invokeNs() > w.completeNs().getAsLong()) {
                    example = example(r, w, newer);
                }
            } else {
                Latest l = latestPut.get(key);
                Operation<KvCall, Optional<String>> p = l == null ? null : l.latestBefore(invoke);
                Deletes d = deletesByKey.get(key);
                if (p != null && (d == null || !d.explains(p.invokeNs(), r.completeOrInfinity()))) {
                    example = example(r, null, p);
                }
            }
            if (example != null) {
                stale++;
                bucket[1]++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(example);
                }
            }
        }
        List<Bucket> perSecond = new ArrayList<>();
        seconds.forEach((s, c) -> perSecond.add(new Bucket(s, c[0], c[1])));
        return new Result(reads.size(), stale, unmatched, perSecond, examples);
    }

    private static Example example(Operation<KvCall, Optional<String>> r, Operation<KvCall, Optional<String>> w,
            Operation<KvCall, Optional<String>> newer) {
        Violation.Step read = Violation.Step.of(KvRegisterModel.INSTANCE, r);
        Violation.Step from = w == null ? null : Violation.Step.of(KvRegisterModel.INSTANCE, w);
        Violation.Step n = Violation.Step.of(KvRegisterModel.INSTANCE, newer);
        String text = read.operation() + " (process " + read.process() + ", " + read.invokeNs() + " .. "
                + read.completeNs() + ") " + (w == null ? "found the key absent" : "returned the value of "
                + from.operation() + " (completed at " + from.completeNs() + ")") + ", although " + n.operation() + " (process " + n.process()
                + ", " + n.invokeNs() + " .. " + n.completeNs() + ") had completed before it began"
                + (w == null ? " and no delete can explain the absence" : "");
        return new Example(read, r.output().orElse(null), from, n, text);
    }
}
