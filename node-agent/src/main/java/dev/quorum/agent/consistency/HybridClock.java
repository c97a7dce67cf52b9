package dev.quorum.agent.consistency;

import dev.quorum.agent.store.Version;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): readings are close to physical time, strictly
 * increasing on this node, and never behind any reading this node has observed from a peer. That
 * gives last-writer-wins a causal floor: a write issued after seeing version v gets a version > v,
 * even when this node's wall clock lags the peer's.
 *
 * <p>Layout: {@code physicalMillis << 16 | logical}. Thread-safe and lock-free.
 */
public final class HybridClock {
    private static final long LOGICAL_MASK = (1L << Version.LOGICAL_BITS) - 1;

    private final Clock clock;
    private final long maxForwardDriftMillis;
    private final AtomicLong last = new AtomicLong();

    /**
     * @param maxForwardDriftMillis remote readings further than this ahead of our wall clock are not
     *     adopted (a peer with a wildly wrong clock must not drag every version into the future)
     */
    public HybridClock(Clock clock, long maxForwardDriftMillis) {
        this.clock = clock;
        this.maxForwardDriftMillis = maxForwardDriftMillis;
    }

    /** A new reading, strictly greater than every earlier one from {@link #now} or {@link #observe}. */
    public long now() {
        long physical = clock.millis() << Version.LOGICAL_BITS;
        return last.updateAndGet(prev -> Math.max(prev + 1, physical));
    }

    /**
     * Merges a reading seen on a message from a peer.
     *
     * @return false when the reading was ignored because it runs too far ahead of our wall clock
     */
    public boolean observe(long remote) {
        long wall = clock.millis();
        if ((remote >>> Version.LOGICAL_BITS) > wall + maxForwardDriftMillis) {
            return false;
        }
        last.accumulateAndGet(remote, Math::max);
        return true;
    }

    /** The latest reading without advancing the clock. */
    public long peek() {
        return last.get();
    }

    public static long physicalMillis(long hlc) {
        return hlc >>> Version.LOGICAL_BITS;
    }

    public static long logical(long hlc) {
        return hlc & LOGICAL_MASK;
    }

    public static long of(long physicalMillis, long logical) {
        return (physicalMillis << Version.LOGICAL_BITS) | (logical & LOGICAL_MASK);
    }
}
