package dev.quorum.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Process-level stop triggers. SIGTERM and SIGINT are handled (not left to the JVM's default,
 * which would exit with status 143 before the store is closed): the handler only signals, the main
 * thread then stops the agent in order and exits 0.
 */
final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private Lifecycle() {}

    /**
     * Blocks until SIGTERM/SIGINT or the death of {@code parentPid} (when given), then runs
     * {@code close} and flushes the logs: the tail of every long-running command.
     */
    static void runUntilStopped(Long parentPid, Runnable close) throws InterruptedException {
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        onTerminate(stop::countDown);
        if (parentPid != null) {
            exitWithParent(parentPid, stop::countDown);
        }
        stop.await();
        close.run();
        LoggingSetup.flush();
    }

    static void onTerminate(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                log.info("received SIG{}, stopping", sig.getName());
                stop.run();
            });
        }
    }

    /** Stops when the parent process exits (the console that launched us was killed, say). */
    static void exitWithParent(long pid, Runnable stop) {
        var parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            log.warn("parent process {} is not running; stopping", pid);
            stop.run();
            return;
        }
        parent.get().onExit().thenRun(() -> {
            log.warn("parent process {} exited; stopping", pid);
            stop.run();
        });
    }
}
