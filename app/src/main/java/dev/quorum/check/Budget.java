package dev.quorum.check;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How far one partition's search may go: a step limit, a limit on the memory one search's memo may hold
 * (estimated: see {@link Model#stateBytes}), a deadline ({@link System#nanoTime()}), and a stop flag shared by
 * all partitions (set when another key was found not linearizable). Not thread-safe: one per search thread.
 */
final class Budget {
    /** Thrown out of a search when its budget runs out or it is told to stop. */
    static final class Exhausted extends RuntimeException {
        final boolean stopped;

        Exhausted(String message, boolean stopped) {
            super(message, null, false, false);
            this.stopped = stopped;
        }
    }

    private static final int CHECK_EVERY = 1024;

    private final long maxSteps;
    private final long maxMemoBytes;
    private final long deadlineNanos;
    private final AtomicBoolean stop;
    private long steps;

    Budget(long maxSteps, long maxMemoBytes, long deadlineNanos, AtomicBoolean stop) {
        this.maxSteps = maxSteps;
        this.maxMemoBytes = maxMemoBytes;
        this.deadlineNanos = deadlineNanos;
        this.stop = stop;
    }

    /** Counts one search step; throws {@link Exhausted} when the budget is spent. */
    void tick() {
        steps++;
        if (steps > maxSteps) {
            throw new Exhausted("step budget of " + maxSteps + " exceeded", false);
        }
        if (steps % CHECK_EVERY == 0) {
            if (stop != null && stop.get()) {
                throw new Exhausted("stopped: another key was found not linearizable", true);
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new Exhausted("time budget exceeded after " + steps + " steps", false);
            }
        }
    }

    /** Checks the estimated size of a search's memo. */
    void remembered(long memoBytes) {
        if (memoBytes > maxMemoBytes) {
            throw new Exhausted("memory budget of " + (maxMemoBytes >> 20) + " MiB exceeded after " + steps + " steps",
                    false);
        }
    }

    /** A budget with the same deadline and smaller limits, for one part of the work; see {@link #spend}. */
    Budget child(long steps, long memoBytes) {
        return new Budget(Math.min(steps, maxSteps), Math.min(memoBytes, maxMemoBytes), deadlineNanos, null);
    }

    /** Counts steps done under a {@link #child}; throws {@link Exhausted} when this budget is spent. */
    void spend(long childSteps) {
        steps += childSteps;
        if (steps > maxSteps) {
            throw new Exhausted("step budget of " + maxSteps + " exceeded", false);
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new Exhausted("time budget exceeded after " + steps + " steps", false);
        }
    }

    long steps() {
        return steps;
    }
}
