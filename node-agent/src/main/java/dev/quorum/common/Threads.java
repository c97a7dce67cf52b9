package dev.quorum.common;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every thread in Quorum is created here: named after its job, daemon, and logging what kills it.
 * Owners keep the executor and shut it down with {@link #shutdown}.
 */
public final class Threads {
    private static final Logger log = LoggerFactory.getLogger(Threads.class);

    private Threads() {}

    public static ThreadFactory named(String prefix) {
        AtomicInteger seq = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> log.error("uncaught exception in {}", th.getName(), e));
            return t;
        };
    }

    /** A single-threaded scheduler; tasks that throw are logged and keep their schedule. */
    public static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, named(name));
        s.setRemoveOnCancelPolicy(true);
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return s;
    }

    /** A fixed pool with a bounded queue; when full, submissions are rejected (callers decide what that means). */
    public static ThreadPoolExecutor bounded(String name, int threads, int queueCapacity) {
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(queueCapacity), named(name));
    }

    public static ExecutorService cached(String name) {
        return Executors.newCachedThreadPool(named(name));
    }

    /** Wraps a periodic task so one failure is logged instead of silently cancelling the schedule. */
    public static Runnable logging(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("{} failed: {}", what, e.toString(), e);
            }
        };
    }

    /** Orderly shutdown: stop taking work, wait up to the timeout, then interrupt what is left. */
    public static void shutdown(ExecutorService e, long timeoutMillis) {
        e.shutdown();
        try {
            if (!e.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                e.shutdownNow();
            }
        } catch (InterruptedException ie) {
            e.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
