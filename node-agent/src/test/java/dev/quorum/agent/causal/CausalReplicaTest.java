package dev.quorum.agent.causal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.agent.consistency.VectorClock;
import dev.quorum.agent.replication.Ring;
import dev.quorum.agent.store.Record;
import dev.quorum.agent.store.SqliteStore;
import dev.quorum.agent.store.Version;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apply rule on a real SQLite store: order, dependencies, duplicates, waiting, and restart. */
class CausalReplicaTest {
    @TempDir
    Path dir;

    private SqliteStore store;
    private final HybridClock clock = new HybridClock(Clock.systemUTC(), 60_000);
    private final AtomicInteger commits = new AtomicInteger();

    private CausalReplica open() {
        store = SqliteStore.open(dir, Ring::hash);
        return new CausalReplica("n1", store.causal(), clock, Runnable::run, commits::incrementAndGet);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private CausalReplica.Incoming write(String origin, long seq, Map<String, Long> deps, String key, String value) {
        return new CausalReplica.Incoming(origin, seq, VectorClock.of(deps),
                Record.value(key, value.getBytes(), "text/plain", new Version(clock.now(), origin)));
    }

    private static long join(CompletableFuture<Long> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWriteWaitsForItsOriginsEarlierWritesAndItsDependencies() throws Exception {
        CausalReplica r = open();
        // n2's second write arrives first, and n3's write depends on it.
        List<CompletableFuture<Long>> acks = r.receive(List.of(
                write("n2", 2, Map.of(), "y", "y2"),
                write("n3", 1, Map.of("n2", 2L), "z", "z1")));
        assertThat(join(acks.get(0))).as("held: n2's write 1 is missing").isZero();
        assertThat(join(acks.get(1))).isZero();
        assertThat(r.pendingCount()).isEqualTo(2);
        assertThat(store.get("y")).isEmpty();
        assertThat(store.get("z")).isEmpty();

        List<CompletableFuture<Long>> more = r.receive(List.of(write("n2", 1, Map.of(), "x", "x1")));
        // Its acknowledgement is how far n2's log is applied: 1, or already 2 if write 2 committed in the same group.
        assertThat(join(more.get(0))).isBetween(1L, 2L);
        await(r, VectorClock.of(Map.of("n2", 2L, "n3", 1L)));
        assertThat(r.pendingCount()).isZero();
        assertThat(new String(store.get("z").orElseThrow().value())).isEqualTo("z1");
        assertThat(r.applied().toMap()).isEqualTo(Map.of("n2", 2L, "n3", 1L));
    }

    @Test
    void duplicatesChangeNothingAndAreAcknowledged() throws Exception {
        CausalReplica r = open();
        CausalReplica.Incoming w = write("n2", 1, Map.of(), "x", "x1");
        assertThat(join(r.receive(List.of(w)).get(0))).isEqualTo(1);
        assertThat(join(r.receive(List.of(w, w)).get(1))).isEqualTo(1);
        assertThat(r.pendingCount()).isZero();
        assertThat(r.applied().get("n2")).isEqualTo(1);
    }

    @Test
    void awaitCompletesOnTheCommitThatCoversTheTokenAndTimesOutOtherwise() throws Exception {
        CausalReplica r = open();
        CompletableFuture<VectorClock> waiting = r.await(VectorClock.of(Map.of("n2", 1L)), 5_000);
        assertThat(waiting).isNotDone();
        r.receive(List.of(write("n2", 1, Map.of(), "x", "x1")));
        assertThat(waiting.get(5, TimeUnit.SECONDS).get("n2")).isEqualTo(1);

        CompletableFuture<VectorClock> never = r.await(VectorClock.of(Map.of("n3", 1L)), 100);
        assertThat(never).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingRootCause().isInstanceOf(TimeoutException.class);
    }

    @Test
    void ownWritesAreNumberedLoggedAndSurviveARestart() throws Exception {
        CausalReplica r = open();
        VectorClock deps = VectorClock.of(Map.of("n2", 0L));
        for (int i = 1; i <= 3; i++) {
            String v = "v" + i;
            CausalReplica.Local w = r.write(ver -> Record.value("k", v.getBytes(), "text/plain", ver), deps)
                    .get(5, TimeUnit.SECONDS);
            assertThat(w.seq()).isEqualTo(i);
        }
        assertThat(commits.get()).isEqualTo(3);
        assertThat(store.causal().log(0, 10)).extracting(l -> l.seq()).containsExactly(1L, 2L, 3L);
        assertThat(store.causal().stamp("k").orElseThrow().seq()).isEqualTo(3);
        store.close();

        CausalReplica again = open();
        assertThat(again.applied().get("n1")).isEqualTo(3);
        CausalReplica.Local next = again.write(ver -> Record.tombstone("k", ver), VectorClock.EMPTY)
                .get(5, TimeUnit.SECONDS);
        assertThat(next.seq()).isEqualTo(4);
        store.causal().truncate(3).get(5, TimeUnit.SECONDS);
        assertThat(store.causal().log(0, 10)).extracting(l -> l.seq()).containsExactly(4L);
    }

    private static void await(CausalReplica r, VectorClock v) throws Exception {
        r.await(v, 5_000).get(5, TimeUnit.SECONDS);
    }
}
