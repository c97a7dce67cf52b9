package dev.quorum.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The Wing–Gong search with Lowe's memoisation (the algorithm of Knossos' "wgl" and of Porcupine): walk the
 * history's call and return events in time order; at a call, try to linearize that operation now (the model
 * accepts its output in the current state) and restart from the first event left; at a return whose
 * operation is not linearized yet, undo the last choice. No (linearized set, state) configuration is explored
 * twice (see {@link Memo}).
 *
 * <p>Operations are {@link Item}s: a <em>required</em> one must be linearized (it completed with a known
 * output); an optional one may be (unknown outcome, or still pending at the end of a prefix). The search
 * succeeds as soon as every required operation is linearized: an optional one left out is one placed at the
 * very end, where nothing observes it. Not thread-safe; one search per thread.
 */
final class Search<S, I, O> {

    /**
     * @param ref the caller's index of the operation (results name operations by it)
     * @param ret completion time, {@link Long#MAX_VALUE} when open
     * @param observed whether {@code output} constrains the operation
     */
    record Item<I, O>(int ref, long call, long ret, I input, O output, boolean observed, boolean required) {}

    /**
     * What a search found.
     *
     * @param order when linearizable: the refs of the operations linearized, in order
     * @param stuckRef when not: the operation whose completion no order could get past (the furthest in time)
     * @param stuckStates when not: the states the object could be in when that operation completed (none of
     *     which accepts its output)
     */
    record Result<S>(boolean linearizable, List<Integer> order, int stuckRef, Set<S> stuckStates) {}

    static final int MAX_STUCK_STATES = 32;

    private static final class Node {
        final int item;
        final boolean call;
        final long time;
        Node match;
        Node prev;
        Node next;

        Node(int item, boolean call, long time) {
            this.item = item;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame<S>(Node call, S state, boolean optionalPass) {}

    /** Which required operations are linearized, and the state they lead to. */
    private static final class Config {
        final long[] bits;
        final Object state;
        final int hash;

        Config(long[] bits, Object state) {
            this.bits = bits;
            this.state = state;
            this.hash = 31 * Arrays.hashCode(bits) + state.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.hash == hash && Arrays.equals(c.bits, bits) && c.state.equals(state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Lowe's memo, with domination on optional operations: a configuration is not explored if one with the
     * same required operations linearized, the same state and a <em>subset</em> of its optional operations
     * linearized was. That one had every move this one has (optional operations may also be left out), so it
     * reached everything this one could. Without optional operations this is the plain (set, state) memo;
     * with them it keeps the search from trying every subset of the unknown writes at every position.
     */
    private final class Memo {
        /** Estimated heap bytes of a configuration beyond its state: map entry, key, bit sets, list. */
        private final long entryBytes = 160 + 16L * (words(requiredCount) + words(optionalCount));
        final Map<Config, List<long[]>> seen = new HashMap<>();
        long bytes;

        /** True if the configuration is new and not dominated (and records it). */
        boolean add(long[] required, long[] optional, S state) {
            List<long[]> explored = seen.get(new Config(required, state));
            if (explored == null) {
                explored = new ArrayList<>(1);
                seen.put(new Config(required.clone(), state), explored);
                bytes += entryBytes + model.stateBytes(state);
            } else {
                for (long[] o : explored) {
                    if (subset(o, optional)) {
                        return false;
                    }
                }
            }
            explored.add(optional.clone());
            bytes += 24 + 8L * optional.length;
            return true;
        }
    }

    private final Model<S, I, O> model;
    private final List<Item<I, O>> items;
    private final Budget budget;
    private final int[] slot;
    private final int requiredCount;
    private final int optionalCount;
    private Memo memo;

    Search(Model<S, I, O> model, List<Item<I, O>> items, Budget budget) {
        this.model = model;
        this.items = items;
        this.budget = budget;
        this.slot = new int[items.size()];
        int r = 0;
        int o = 0;
        for (int i = 0; i < items.size(); i++) {
            slot[i] = items.get(i).required() ? r++ : o++;
        }
        this.requiredCount = r;
        this.optionalCount = o;
    }

    /** Looks for one order that linearizes every required operation, starting from {@code initial}. */
    Result<S> check(S initial) {
        return run(initial, s -> true);
    }

    /** Looks for an order that linearizes every required operation and ends in {@code goal}. */
    Result<S> find(S initial, S goal) {
        return run(initial, goal::equals);
    }

    /**
     * After a search that failed (and so explored everything up to where it got stuck): the states reached
     * with exactly the given required operations linearized and optional ones only among those allowed.
     */
    Set<S> statesWith(IntPredicate requiredRef, IntPredicate allowedOptionalRef) {
        long[] wanted = new long[words(requiredCount)];
        long[] allowed = new long[words(optionalCount)];
        for (int i = 0; i < items.size(); i++) {
            Item<I, O> it = items.get(i);
            if (it.required() && requiredRef.test(it.ref())) {
                set(wanted, slot[i]);
            } else if (!it.required() && allowedOptionalRef.test(it.ref())) {
                set(allowed, slot[i]);
            }
        }
        Set<S> states = new LinkedHashSet<>();
        for (Map.Entry<Config, List<long[]>> e : memo.seen.entrySet()) {
            if (Arrays.equals(e.getKey().bits, wanted) && e.getValue().stream().anyMatch(o -> subset(o, allowed))) {
                @SuppressWarnings("unchecked")
                S state = (S) e.getKey().state;
                states.add(state);
            }
        }
        return states;
    }

    private Result<S> run(S initial, Predicate<S> goal) {
        Node head = buildList();
        long[] required = new long[words(requiredCount)];
        long[] optional = new long[words(optionalCount)];
        int requiredLeft = requiredCount;
        memo = new Memo();
        Deque<Frame<S>> stack = new ArrayDeque<>();
        S state = initial;
        memo.add(required, optional, state);
        if (requiredLeft == 0 && goal.test(state)) {
            return new Result<>(true, List.of(), -1, Set.of());
        }
        Node stuck = null;
        Set<S> stuckStates = new LinkedHashSet<>();
        Node entry = head.next;
        // A configuration's candidates are the calls before the first return left. Required ones are tried
        // first, optional ones in a second pass: an unknown write is then linearized only when nothing else
        // fits, which finds an order for linearizable histories far sooner (the set explored is the same).
        boolean optionalPass = false;
        while (true) {
            budget.tick();
            if (entry != null && entry.call) {
                Item<I, O> item = items.get(entry.item);
                if (item.required() == optionalPass) {
                    entry = entry.next;
                    continue;
                }
                Optional<S> next = item.observed()
                        ? model.step(state, item.input(), item.output())
                        : Optional.of(model.stepUnobserved(state, item.input()));
                if (next.isPresent()) {
                    long[] bits = item.required() ? required : optional;
                    set(bits, slot[entry.item]);
                    if (memo.add(required, optional, next.get())) {
                        budget.remembered(memo.bytes);
                        stack.push(new Frame<>(entry, state, optionalPass));
                        state = next.get();
                        lift(entry);
                        if (item.required()) {
                            requiredLeft--;
                        }
                        if (requiredLeft == 0 && goal.test(state)) {
                            return new Result<>(true, order(stack), -1, Set.of());
                        }
                        entry = head.next;
                        optionalPass = false;
                        continue;
                    }
                    clear(bits, slot[entry.item]);
                }
                entry = entry.next;
                continue;
            }
            if (!optionalPass && optionalCount > 0) {
                optionalPass = true;
                entry = head.next;
                continue;
            }
            // A return whose operation is not linearized yet (or the end of the list): a dead end.
            if (entry != null && items.get(entry.item).required()) {
                int cmp = stuck == null ? 1 : compareReturns(entry, stuck);
                if (cmp > 0) {
                    stuck = entry;
                    stuckStates.clear();
                }
                if (cmp >= 0 && stuckStates.size() < MAX_STUCK_STATES) {
                    stuckStates.add(state);
                }
            }
            if (stack.isEmpty()) {
                break;
            }
            Frame<S> top = stack.pop();
            Item<I, O> undone = items.get(top.call().item);
            state = top.state();
            clear(undone.required() ? required : optional, slot[top.call().item]);
            unlift(top.call());
            if (undone.required()) {
                requiredLeft++;
            }
            entry = top.call().next;
            optionalPass = top.optionalPass();
        }
        return new Result<>(false, List.of(), stuck == null ? -1 : items.get(stuck.item).ref(), stuckStates);
    }

    private int compareReturns(Node a, Node b) {
        int byTime = Long.compare(a.time, b.time);
        return byTime != 0 ? byTime : Integer.compare(items.get(a.item).ref(), items.get(b.item).ref());
    }

    private List<Integer> order(Deque<Frame<S>> stack) {
        List<Integer> order = new ArrayList<>(stack.size());
        stack.descendingIterator().forEachRemaining(f -> order.add(items.get(f.call().item).ref()));
        return List.copyOf(order);
    }

    /**
     * The events in time order behind a sentinel head. At equal times calls come first, so an operation that
     * completes at the instant another is invoked counts as concurrent with it (the permissive reading).
     */
    private Node buildList() {
        List<Node> events = new ArrayList<>(2 * items.size());
        for (int i = 0; i < items.size(); i++) {
            Item<I, O> it = items.get(i);
            Node call = new Node(i, true, it.call());
            Node ret = new Node(i, false, it.ret());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        events.sort(Comparator.<Node>comparingLong(n -> n.time)
                .thenComparing(n -> !n.call)
                .thenComparingInt(n -> items.get(n.item).ref()));
        Node head = new Node(-1, true, Long.MIN_VALUE);
        Node prev = head;
        for (Node n : events) {
            prev.next = n;
            n.prev = prev;
            prev = n;
        }
        return head;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }

    private static int words(int bits) {
        return (bits + 63) >>> 6;
    }

    private static boolean subset(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & ~b[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void set(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }

    private static void clear(long[] bits, int i) {
        bits[i >>> 6] &= ~(1L << i);
    }
}
