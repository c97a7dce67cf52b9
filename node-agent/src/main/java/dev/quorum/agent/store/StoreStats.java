package dev.quorum.agent.store;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the store's group commits, and a hook for the metrics layer. */
public final class StoreStats {

    /** Called on the writer thread after each successful commit; must be quick. */
    public interface CommitObserver {
        void committed(int writes, long nanos);
    }

    private final LongAdder commits = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private volatile CommitObserver observer = (w, n) -> {};

    void recordCommit(int groupSize, long nanos) {
        commits.increment();
        writes.add(groupSize);
        observer.committed(groupSize, nanos);
    }

    public void observe(CommitObserver o) {
        this.observer = o;
    }

    public long commits() {
        return commits.sum();
    }

    public long writes() {
        return writes.sum();
    }
}
