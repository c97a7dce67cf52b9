package dev.quorum.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the smallest window of a non-linearizable key history that fails on its own.
 *
 * <p>The search stopped at operation F: the first completion no order can get past. The window ends there.
 * It starts at a <em>cut</em>: a point where every operation invoked before it has completed, except those of
 * unknown outcome. The failed search explored every configuration up to F, so its memo already says which
 * states the operations before a cut can leave. The window is the operations invoked after the cut, plus every
 * unknown one still open, even if all orders before the cut already used it: a window must fail even when
 * those could take effect (again) inside it, so that it carries its own explanation (the read that proves an
 * unknown write already happened is in the window, not hidden before it). The latest cut whose window fails
 * from every one of those states wins (cuts whose check runs out of budget are skipped). Then operations F's failure does not
 * need are dropped (see {@link #shrink}).
 */
final class Explainer<S, I, O> {
    private static final int MAX_SHRINK = 64;
    /** Each check of a candidate window gets this much; a cut whose check runs out is skipped. */
    private static final long CHECK_STEPS = 1_000_000;
    private static final long CHECK_BYTES = 64L << 20;
    private static final int MAX_CONTEXT_STATES = 8;
    /** Context is a courtesy: each witness search gets this much, and the report goes without it if it fails. */
    private static final long WITNESS_STEPS = 1_000_000;
    private static final long WITNESS_BYTES = 16L << 20;
    private static final long WITNESS_NANOS = 1_000_000_000L;

    private final Model<S, I, O> model;
    private final List<Operation<I, O>> ops;
    private final Search<S, I, O> failed;
    private final Budget budget;
    private final int[] callPos;
    private final int[] retPos;
    private final List<Integer> quiescentCuts = new ArrayList<>();

    /**
     * @param ops the key's operations as checked (index = ref); no definite failures
     * @param failed the search over {@code ops} that found them not linearizable
     */
    Explainer(Model<S, I, O> model, List<Operation<I, O>> ops, Search<S, I, O> failed, Budget budget) {
        this.model = model;
        this.ops = ops;
        this.failed = failed;
        this.budget = budget;
        this.callPos = new int[ops.size()];
        this.retPos = new int[ops.size()];
        orderEvents();
    }

    private record Window<S>(int cut, Set<S> before, List<Integer> refs, boolean minimal) {}

    Violation explain(String key, Search.Result<S> failure) {
        int f = failure.stuckRef();
        Window<S> w;
        try {
            w = smallestWindow(f);
        } catch (Budget.Exhausted e) {
            w = new Window<>(0, Set.of(model.initial()), prefix(f, 0), false);
        }
        return report(key, f, failure.stuckStates(), w);
    }

    // ------------------------------------------------------------------ event order and cuts

    /** The search's event order (time, calls before returns, ref); records where a cut may fall. */
    private void orderEvents() {
        record Event(int ref, boolean call, long time) {}
        List<Event> events = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            events.add(new Event(i, true, ops.get(i).invokeNs()));
            events.add(new Event(i, false, ops.get(i).completeOrInfinity()));
        }
        events.sort(Comparator.comparingLong(Event::time).thenComparing(e -> !e.call()).thenComparingInt(Event::ref));
        int open = 0;
        for (int p = 0; p < events.size(); p++) {
            if (open == 0) {
                quiescentCuts.add(p);
            }
            Event e = events.get(p);
            boolean definite = ops.get(e.ref()).outcome() == Outcome.OK;
            if (e.call()) {
                callPos[e.ref()] = p;
                open += definite ? 1 : 0;
            } else {
                retPos[e.ref()] = p;
                open -= definite ? 1 : 0;
            }
        }
    }

    private boolean unknown(int ref) {
        return ops.get(ref).outcome() == Outcome.UNKNOWN;
    }

    /** Operations of the prefix ending at F's completion that are invoked at or after the cut, or still open. */
    private List<Integer> prefix(int f, int cut) {
        List<Integer> refs = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (callPos[i] < retPos[f] && (callPos[i] >= cut || unknown(i))) {
                refs.add(i);
            }
        }
        return refs;
    }

    // ------------------------------------------------------------------ the window

    private Window<S> smallestWindow(int f) {
        List<Integer> cuts = quiescentCuts.stream().filter(c -> c > 0 && c <= callPos[f]).toList();
        boolean skipped = false;
        for (int k = cuts.size() - 1; k >= 0; k--) {
            int cut = cuts.get(k);
            Set<S> before = statesAt(cut);
            List<Integer> refs = prefix(f, cut);
            if (before.isEmpty()) {
                continue;
            }
            Failure<S> failure;
            try {
                failure = failure(f, refs, before);
            } catch (Budget.Exhausted e) {
                skipped = true;
                continue;
            }
            if (failure != null) {
                return new Window<>(cut, before, shrink(f, refs, before, failure), !skipped);
            }
        }
        // Cut 0: the whole prefix from the initial state, which the search proved fails.
        Set<S> initial = Set.of(model.initial());
        List<Integer> refs = prefix(f, 0);
        try {
            return new Window<>(0, initial, shrink(f, refs, initial, failure(f, refs, initial)), !skipped);
        } catch (Budget.Exhausted e) {
            return new Window<>(0, initial, refs, false);
        }
    }

    /** The states the operations invoked before the cut can leave (read from the failed search's memo). */
    private Set<S> statesAt(int cut) {
        return failed.statesWith(ref -> callPos[ref] < cut, ref -> callPos[ref] < cut);
    }

    /**
     * How a window fails from each starting state: where it got stuck (a sortable position per start), and
     * the states met at F's completion (over the starts that got stuck there). {@code capped}: some start met
     * more states than a search reports, so the set is not exact.
     */
    private record Failure<S>(List<Integer> stuckAt, Set<S> statesAtF, boolean capped) {}

    /** The window's failure, or null when some starting state lets it pass. */
    private Failure<S> failure(int f, List<Integer> refs, Set<S> starts) {
        List<Search.Item<I, O>> items = new ArrayList<>(refs.size());
        for (int i : refs) {
            items.add(item(i, !unknown(i) && retPos[i] <= retPos[f]));
        }
        List<Integer> stuckAt = new ArrayList<>();
        Set<S> atF = new LinkedHashSet<>();
        boolean capped = false;
        for (S start : starts) {
            Budget one = budget.child(CHECK_STEPS, CHECK_BYTES);
            Search.Result<S> r;
            try {
                r = new Search<>(model, items, one).check(start);
            } finally {
                budget.spend(one.steps());
            }
            if (r.linearizable()) {
                return null;
            }
            stuckAt.add(retPos[r.stuckRef()]);
            if (r.stuckRef() == f) {
                atF.addAll(r.stuckStates());
                capped |= r.stuckStates().size() >= Search.MAX_STUCK_STATES;
            }
        }
        return new Failure<>(stuckAt, atF, capped);
    }

    /**
     * Drops the operations F's failure does not need, one at a time (never F itself). An operation goes only
     * if, without it, the window still fails at the same place from every start and F still meets exactly the
     * same states: dropping the write whose value F read would make F fail too, for a reason that explains
     * nothing, but it changes the states F meets.
     */
    private List<Integer> shrink(int f, List<Integer> refs, Set<S> starts, Failure<S> failure) {
        if (refs.size() > MAX_SHRINK || failure.capped()) {
            return refs;
        }
        List<Integer> kept = new ArrayList<>(refs);
        for (int i = kept.size() - 1; i >= 0; i--) {
            if (kept.get(i) == f) {
                continue;
            }
            List<Integer> without = new ArrayList<>(kept);
            without.remove(i);
            Failure<S> now;
            try {
                now = failure(f, without, starts);
            } catch (Budget.Exhausted e) {
                break;
            }
            if (now != null && !now.capped() && now.stuckAt().equals(failure.stuckAt())
                    && now.statesAtF().equals(failure.statesAtF())) {
                kept = without;
            }
        }
        return kept;
    }

    /** Required operations keep their completion; optional ones are open (they may take effect or not). */
    private Search.Item<I, O> item(int ref, boolean required) {
        Operation<I, O> op = ops.get(ref);
        boolean observed = op.outcome() == Outcome.OK;
        long ret = required ? op.completeOrInfinity() : Long.MAX_VALUE;
        return new Search.Item<>(ref, op.invokeNs(), ret, op.input(), op.output(), observed, required);
    }

    // ------------------------------------------------------------------ the report

    private Violation report(String key, int f, Set<S> possible, Window<S> w) {
        Violation.Step failing = Violation.Step.of(model, ops.get(f));
        List<String> possibleStates = possible.stream().map(model::describeState).toList();
        List<String> statesBefore = w.before().stream().map(model::describeState).toList();
        Set<Integer> contextRefs = new LinkedHashSet<>();
        if (w.cut() > 0) {
            w.before().stream().limit(MAX_CONTEXT_STATES).forEach(s -> contextRefs.addAll(tail(witness(w.cut(), s))));
        }
        contextRefs.removeAll(w.refs());
        List<Violation.Step> context = steps(contextRefs);
        List<Violation.Step> window = steps(w.refs());
        long start = startOf(w);
        String text = ViolationText.render(key, failing, possibleStates, statesBefore, context, window, w.minimal());
        return new Violation(key, failing, possibleStates, start, statesBefore, context, window, w.minimal(), text);
    }

    /** One order of the operations invoked before the cut that leaves {@code state}; empty if out of budget. */
    private List<Integer> witness(int cut, S state) {
        List<Search.Item<I, O>> items = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (callPos[i] < cut) {
                items.add(item(i, !unknown(i)));
            }
        }
        Budget small = new Budget(WITNESS_STEPS, WITNESS_BYTES, System.nanoTime() + WITNESS_NANOS, null);
        try {
            return new Search<>(model, items, small).find(model.initial(), state).order();
        } catch (Budget.Exhausted e) {
            return List.of();
        }
    }

    /** The first invocation at or after the cut (F's at the latest). */
    private long startOf(Window<S> w) {
        long earliest = Long.MAX_VALUE;
        for (int i : w.refs()) {
            if (callPos[i] >= w.cut()) {
                earliest = Math.min(earliest, ops.get(i).invokeNs());
            }
        }
        return earliest;
    }

    /** The end of a witness order that sets the state: the last state-changing operation and the reads after it. */
    private List<Integer> tail(List<Integer> order) {
        int from = order.size();
        while (from > 0) {
            from--;
            if (!model.readOnly(ops.get(order.get(from)).input())) {
                break;
            }
        }
        return order.subList(from, order.size());
    }

    private List<Violation.Step> steps(Iterable<Integer> refs) {
        List<Operation<I, O>> chosen = new ArrayList<>();
        refs.forEach(i -> chosen.add(ops.get(i)));
        chosen.sort(Comparator.comparingLong(Operation<I, O>::invokeNs).thenComparingLong(Operation::completeOrInfinity));
        return chosen.stream().map(op -> Violation.Step.of(model, op)).toList();
    }
}
