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
