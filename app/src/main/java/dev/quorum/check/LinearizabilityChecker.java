package dev.quorum.check;

import dev.quorum.common.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks histories for linearizability, key by key (P-compositionality), keys in parallel on a pool this
 * checker owns ({@code check-N} threads; {@link #close()} shuts it down). {@link #check} may be called from
 * several threads at once; they share the pool.
 *
 * <p>Definite failures are dropped (they did not happen), and so are reads of unknown outcome (they change
 * nothing and constrain nothing). Other operations of unknown outcome stay open until the end of the history.
 */
public final class LinearizabilityChecker implements AutoCloseable {
    private static final String STOPPED = "not checked: another key was found not linearizable first";

    private final CheckOptions options;
    private final ExecutorService pool;

    public LinearizabilityChecker(CheckOptions options) {
        this.options = options;
        this.pool = Threads.bounded("check", options.threads(), 1024);
    }

    public <S, I, O> CheckResult check(Model<S, I, O> model, List<Operation<I, O>> history) {
        long start = System.nanoTime();
        long deadline = start + options.timeout().toNanos();
        Map<String, List<Operation<I, O>>> parts = partition(model, history);
        List<String> keys = new ArrayList<>(parts.keySet());
        KeyResult[] results = new KeyResult[keys.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < keys.size(); i = next.getAndIncrement()) {
                String key = keys.get(i);
                List<Operation<I, O>> ops = parts.get(key);
                results[i] = stop.get()
                        ? new KeyResult(key, Verdict.UNKNOWN, ops.size(), 0, 0, null, STOPPED)
                        : checkKey(model, key, ops, deadline, stop);
                if (results[i].verdict() == Verdict.NOT_LINEARIZABLE && options.stopAtFirstViolation()) {
                    stop.set(true);
                }
            }
        };
        List<Future<?>> futures = new ArrayList<>();
        for (int w = Math.min(options.threads(), keys.size()); w > 0; w--) {
            futures.add(pool.submit(worker));
        }
        await(futures, stop);
        return CheckResult.of(Arrays.asList(results), Duration.ofNanos(System.nanoTime() - start));
    }

    private static void await(List<Future<?>> futures, AtomicBoolean stop) {
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            stop.set(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while checking");
        } catch (ExecutionException e) {
            stop.set(true);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The operations the search needs, grouped by key, in history order within each key. */
    static <S, I, O> Map<String, List<Operation<I, O>>> partition(Model<S, I, O> model, List<Operation<I, O>> history) {
        Map<String, List<Operation<I, O>>> parts = new TreeMap<>();
        for (Operation<I, O> op : history) {
            if (op.outcome() == Outcome.FAIL || (op.outcome() == Outcome.UNKNOWN && model.readOnly(op.input()))) {
                continue;
            }
            parts.computeIfAbsent(model.partition(op.input()), k -> new ArrayList<>()).add(op);
        }
        return parts;
    }

    private <S, I, O> KeyResult checkKey(
            Model<S, I, O> model, String key, List<Operation<I, O>> ops, long deadline, AtomicBoolean stop) {
        long t0 = System.nanoTime();
        Budget budget = new Budget(options.maxStepsPerKey(), options.maxMemoBytesPerKey(), keyDeadline(t0, deadline), stop);
        List<Search.Item<I, O>> items = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation<I, O> op = ops.get(i);
            boolean ok = op.outcome() == Outcome.OK;
            items.add(new Search.Item<>(i, op.invokeNs(), op.completeOrInfinity(), op.input(), op.output(), ok, ok));
        }
        Search<S, I, O> search = new Search<>(model, items, budget);
        Search.Result<S> r;
        try {
            r = search.check(model.initial());
        } catch (Budget.Exhausted e) {
            return new KeyResult(key, Verdict.UNKNOWN, ops.size(), budget.steps(), System.nanoTime() - t0, null,
                    e.stopped ? STOPPED : "budget exceeded: " + e.getMessage());
        }
        if (r.linearizable()) {
            return new KeyResult(key, Verdict.LINEARIZABLE, ops.size(), budget.steps(), System.nanoTime() - t0,
                    null, null);
        }
        if (options.stopAtFirstViolation()) {
            stop.set(true);
        }
        // Explaining gets a budget of its own: the verdict is decided, only the size of the window is at stake.
        Budget explaining = new Budget(options.maxStepsPerKey(), options.maxMemoBytesPerKey(), keyDeadline(System.nanoTime(), deadline), null);
        Violation v = new Explainer<>(model, ops, search, explaining).explain(key, r);
        return new KeyResult(key, Verdict.NOT_LINEARIZABLE, ops.size(), budget.steps() + explaining.steps(),
                System.nanoTime() - t0, v, null);
    }

    private long keyDeadline(long now, long overall) {
        long perKey = now + options.keyTimeout().toNanos();
        return perKey - overall < 0 ? perKey : overall;
    }

    @Override
    public void close() {
        Threads.shutdown(pool, 5_000);
    }
}
