package dev.quorum.check;

import java.time.Duration;
import java.util.Objects;

/**
 * How a check runs.
 *
 * @param threads keys checked in parallel (the checker's pool size)
 * @param timeout for the whole check; keys not decided by then are {@link Verdict#UNKNOWN}
 * @param keyTimeout for one key's search (and again for explaining a violation)
 * @param maxStepsPerKey search steps one key may take before it is {@link Verdict#UNKNOWN}
 * @param maxMemoBytesPerKey heap one key's search may fill with remembered configurations (estimated) before
 *     the key is {@link Verdict#UNKNOWN}; up to {@code threads} keys are searched at once
 * @param stopAtFirstViolation stop checking other keys once one is found not linearizable
 */
public record CheckOptions(
        int threads,
        Duration timeout,
        Duration keyTimeout,
        long maxStepsPerKey,
        long maxMemoBytesPerKey,
        boolean stopAtFirstViolation) {

    public CheckOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(keyTimeout, "keyTimeout");
        if (threads < 1 || maxStepsPerKey < 1 || maxMemoBytesPerKey < 1 || timeout.isNegative() || keyTimeout.isNegative()) {
            throw new IllegalArgumentException("threads and steps must be positive, timeouts not negative");
        }
    }

    /**
     * One thread per core, 60 s in all and per key, 50 million steps and 256 MiB of memo per key, stop at the
     * first violation.
     */
    public static CheckOptions defaults() {
        Duration minute = Duration.ofSeconds(60);
        return new CheckOptions(Runtime.getRuntime().availableProcessors(), minute, minute, 50_000_000L, 256L << 20, true);
    }

    public CheckOptions withThreads(int n) {
        return new CheckOptions(n, timeout, keyTimeout, maxStepsPerKey, maxMemoBytesPerKey, stopAtFirstViolation);
    }

    public CheckOptions withTimeout(Duration d) {
        return new CheckOptions(threads, d, keyTimeout, maxStepsPerKey, maxMemoBytesPerKey, stopAtFirstViolation);
    }

    public CheckOptions withKeyTimeout(Duration d) {
        return new CheckOptions(threads, timeout, d, maxStepsPerKey, maxMemoBytesPerKey, stopAtFirstViolation);
    }

    public CheckOptions withMaxStepsPerKey(long n) {
        return new CheckOptions(threads, timeout, keyTimeout, n, maxMemoBytesPerKey, stopAtFirstViolation);
    }

    public CheckOptions withMaxMemoBytesPerKey(long n) {
        return new CheckOptions(threads, timeout, keyTimeout, maxStepsPerKey, n, stopAtFirstViolation);
    }

    public CheckOptions withStopAtFirstViolation(boolean stop) {
        return new CheckOptions(threads, timeout, keyTimeout, maxStepsPerKey, maxMemoBytesPerKey, stop);
    }
}
