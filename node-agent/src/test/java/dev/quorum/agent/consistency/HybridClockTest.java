package dev.quorum.agent.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HybridClockTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long MAX_DRIFT = 5_000;
    private static final long LOGICAL_MAX = (1L << 16) - 1;

    /** A wall clock the test moves by hand, backwards too. */
    private static final class ManualClock extends Clock {
        private volatile long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        void set(long newMillis) {
            millis = newMillis;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void readingsStrictlyIncreaseUnderAFixedWallClock() {
        HybridClock hlc = new HybridClock(Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC), MAX_DRIFT);

        long previous = hlc.now();
        assertThat(HybridClock.physicalMillis(previous)).isEqualTo(T0);
        for (int i = 0; i < 10_000; i++) {
            long next = hlc.now();
            assertThat(next).as("reading %d", i).isGreaterThan(previous);
            previous = next;
        }
        assertThat(hlc.peek()).isEqualTo(previous);
    }

    @Test
    void readingsStrictlyIncreaseWhenTheWallClockGoesBackwards() {
        ManualClock wall = new ManualClock(T0);
        HybridClock hlc = new HybridClock(wall, MAX_DRIFT);

        long first = hlc.now();
        wall.set(T0 - 60_000);
        long second = hlc.now();
        wall.set(T0 - 120_000);
        long third = hlc.now();

        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
        assertThat(HybridClock.physicalMillis(third)).as("never behind the highest wall time seen").isEqualTo(T0);
    }

    @Test
    void readingsFollowTheWallClockWhenItMovesForward() {
        ManualClock wall = new ManualClock(T0);
        HybridClock hlc = new HybridClock(wall, MAX_DRIFT);
        hlc.now();
        hlc.now();

        wall.set(T0 + 250);
        long later = hlc.now();

        assertThat(later).isEqualTo(HybridClock.of(T0 + 250, 0));
    }

    @Test
    void observingARemoteReadingMakesTheNextReadingGreater() {
        ManualClock wall = new ManualClock(T0);
        HybridClock hlc = new HybridClock(wall, MAX_DRIFT);
        long local = hlc.now();
        long remote = HybridClock.of(T0 + 3_000, 17);

        boolean adopted = hlc.observe(remote);
        long next = hlc.now();

        assertThat(adopted).isTrue();
        assertThat(remote).isGreaterThan(local);
        assertThat(next).isGreaterThan(remote);
    }

    @Test
    void observingAnOlderReadingNeverMovesTheClockBack() {
        ManualClock wall = new ManualClock(T0);
        HybridClock hlc = new HybridClock(wall, MAX_DRIFT);
        long local = hlc.now();

        assertThat(hlc.observe(HybridClock.of(T0 - 10_000, 5))).isTrue();

        assertThat(hlc.peek()).isEqualTo(local);
        assertThat(hlc.now()).isGreaterThan(local);
    }

    @Test
    void readingsFurtherAheadThanTheMaxDriftAreIgnored() {
        ManualClock wall = new ManualClock(T0);
        HybridClock hlc = new HybridClock(wall, MAX_DRIFT);
        long local = hlc.now();
        long farAhead = HybridClock.of(T0 + MAX_DRIFT + 1, 0);

        boolean adopted = hlc.observe(farAhead);
        long next = hlc.now();

        assertThat(adopted).isFalse();
        assertThat(next).isGreaterThan(local).isLessThan(farAhead);
        assertThat(HybridClock.physicalMillis(next)).isEqualTo(T0);
    }

    @Test
    void aReadingExactlyAtTheMaxDriftIsAdopted() {
        ManualClock wall = new ManualClock(T0);
        HybridClock hlc = new HybridClock(wall, MAX_DRIFT);
        long atLimit = HybridClock.of(T0 + MAX_DRIFT, LOGICAL_MAX);

        assertThat(hlc.observe(atLimit)).isTrue();
        assertThat(hlc.now()).isGreaterThan(atLimit);
    }

    @Test
    void layoutHelpersRoundTrip() {
        long reading = HybridClock.of(T0, 42);

        assertThat(HybridClock.physicalMillis(reading)).isEqualTo(T0);
        assertThat(HybridClock.logical(reading)).isEqualTo(42);
        assertThat(HybridClock.of(T0, 42)).isLessThan(HybridClock.of(T0, 43)).isLessThan(HybridClock.of(T0 + 1, 0));
        assertThat(HybridClock.logical(HybridClock.of(T0, LOGICAL_MAX))).isEqualTo(LOGICAL_MAX);
    }

    @Test
    void concurrentReadingsAreUniqueAndIncreasingPerThread() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        // A fixed wall clock makes every reading come from the logical counter: the hardest case.
        HybridClock hlc = new HybridClock(Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC), MAX_DRIFT);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[]>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    long[] readings = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        readings[i] = hlc.now();
                    }
                    return readings;
                }));
            }
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<long[]> f : results) {
                long[] readings = f.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < readings.length; i++) {
                    if (i > 0) {
                        assertThat(readings[i]).as("per-thread order at %d", i).isGreaterThan(readings[i - 1]);
                    }
                    all.add(readings[i]);
                }
            }
            assertThat(all).as("every reading is unique").hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
