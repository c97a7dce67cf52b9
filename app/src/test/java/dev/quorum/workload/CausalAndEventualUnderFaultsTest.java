package dev.quorum.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.check.CausalChecker;
import dev.quorum.check.CausalResult;
import dev.quorum.check.Outcome;
import dev.quorum.check.StaleReads;
import static dev.quorum.workload.Nemesis.faults;
import static dev.quorum.workload.Nemesis.report;
import static dev.quorum.workload.Nemesis.sleep;
import static dev.quorum.workload.Nemesis.urls;

import dev.quorum.client.QuorumClient;
import dev.quorum.testing.AgentCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The causal checker against real clusters: sessions that hop between nodes keep causal consistency
 * in causal mode while partitions come and go, a node is paused and another killed; the same
 * workload in eventual mode (R = W = 1) breaks it — and the checker says so. Then eventual mode's
 * convergence after the faults heal, measured.
 */
class CausalAndEventualUnderFaultsTest {
    private static final Duration RUN = Nemesis.RUN;

    @Test
    @Timeout(180)
    void causalModeKeepsEverySessionsCausalOrderUnderPartitionsPausesAndKills(@TempDir Path dir) throws Exception {
        try (AgentCluster c = AgentCluster.start(dir, 3, "--consistency", "causal", "--enable-faults",
                "--probe-interval-ms", "200", "--replica-timeout-ms", "400", "--request-timeout-ms", "1500")) {
            List<String> done = new ArrayList<>();
            WorkloadResult result = Nemesis.runWith(spec(c, null, 8, 6, 0.6, 21), () -> nemesis(c, done, true));
            report("causal", result, done);
            assertThat(done).as("faults injected").hasSizeGreaterThanOrEqualTo(3);
            assertThat(result.counts().get("put").getOrDefault("ok", 0L)).isGreaterThan(50);
            assertThat(result.counts().get("get").getOrDefault("ok", 0L)).isGreaterThan(50);
            CausalResult verdict = new CausalChecker().check(result.history());
            System.out.println("[causal] checker: " + verdict.toJson());
            assertThat(verdict.causal()).as(verdict.toJson().toString()).isTrue();
            assertThat(verdict.readsChecked()).isGreaterThan(50);
        }
    }

    @Test
    @Timeout(180)
    void theSameWorkloadInEventualModeBreaksCausalityAndTheCheckerSaysSo(@TempDir Path dir) throws Exception {
        try (AgentCluster c = AgentCluster.start(dir, 3, "--consistency", "eventual", "--r", "1", "--w", "1",
                "--enable-faults", "--probe-interval-ms", "200", "--replica-timeout-ms", "400",
                "--request-timeout-ms", "1500", "--hint-interval-ms", "600000", "--anti-entropy-interval-ms", "600000")) {
            List<String> done = new ArrayList<>();
            WorkloadResult result = Nemesis.runWith(spec(c, null, 8, 6, 0.6, 21), () -> nemesis(c, done, false));
            report("eventual R=W=1", result, done);
            CausalResult verdict = new CausalChecker().check(result.history());
            System.out.println("[eventual] causal checker: " + verdict.byKind() + " in " + verdict.anomalyCount()
                    + " anomalies");
            assertThat(verdict.causal()).as("sessions hopping across a partition must see causality broken").isFalse();
            assertThat(verdict.anomalies()).isNotEmpty();
            StaleReads.Result stale = StaleReads.measure(result.history());
            System.out.printf("[eventual] stale reads: %d of %d (%.2f %%)%n", stale.staleReads(), stale.okReads(),
                    100 * stale.rate());
            assertThat(stale.staleReads()).as("R = W = 1 across a partition reads stale values").isPositive();
        }
    }

    @Test
    @Timeout(180)
    void eventualModeConvergesSoonAfterThePartitionHeals(@TempDir Path dir) throws Exception {
        try (AgentCluster c = AgentCluster.start(dir, 3, "--consistency", "eventual", "--r", "1", "--w", "1",
                "--enable-faults", "--probe-interval-ms", "200", "--replica-timeout-ms", "400",
                "--request-timeout-ms", "1500", "--hint-interval-ms", "500", "--anti-entropy-interval-ms", "1000")) {
            QuorumClient n1 = c.client(0);
            assertThat(faults(n1, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n2\",\"n3\"]}]}")).isEqualTo(200);
            WorkloadResult result = new WorkloadRunner(spec(c, null, 6, 50, 0.5, 31, Duration.ofSeconds(5)))
                    .run(op -> { });
            assertThat(faults(n1, null)).isEqualTo(200);
            StaleReads.Result stale = StaleReads.measure(result.history());
            System.out.printf("[eventual] during the partition: stale reads %d of %d (%.2f %%)%n", stale.staleReads(),
                    stale.okReads(), 100 * stale.rate());
            // Writes have stopped and the partition is gone: how long until every replica holds the same data?
            Convergence.Result converged = Convergence.measure(urls(c), AgentCluster.TOKEN, Duration.ofMillis(50),
                    Duration.ofSeconds(30));
            System.out.printf("[eventual] %d ops during the partition; converged=%s in %d ms (%d polls) %s%n",
                    result.operations(), converged.converged(), converged.elapsed().toMillis(), converged.polls(),
                    converged.lastDigests());
            assertThat(result.history().stream().filter(o -> o.outcome() == Outcome.OK).count()).isGreaterThan(100);
            assertThat(converged.converged()).as(converged.lastDigests().toString()).isTrue();
            assertThat(converged.elapsed()).isLessThan(Duration.ofSeconds(30));
        }
    }

    private static WorkloadSpec spec(AgentCluster c, String consistency, int clients, int keys, double reads, long seed) {
        return spec(c, consistency, clients, keys, reads, seed, RUN);
    }

    /** Clients hop between nodes at random: sessions that move are what causal tokens are for. */
    private static WorkloadSpec spec(AgentCluster c, String consistency, int clients, int keys, double reads,
            long seed, Duration run) {
        return new WorkloadSpec(urls(c), AgentCluster.TOKEN, consistency, clients, run, 0, keys, reads, 0.05,
                WorkloadSpec.KeyDistribution.UNIFORM, 16, 0, seed, Duration.ofSeconds(2), "t" + seed + "/", true);
    }

    /**
     * Partitions that split the cluster different ways (one of them one-way), a pause, and — when
     * {@code kills} — a kill -9 and restart; each healed before the next.
     */
    private static void nemesis(AgentCluster c, List<String> done, boolean kills) {
        long end = System.nanoTime() + RUN.toNanos() - Duration.ofSeconds(2).toNanos();
        int step = 0;
        try (QuorumClient n1 = new QuorumClient(c.url(0), AgentCluster.TOKEN, Duration.ofSeconds(3));
                QuorumClient n2 = new QuorumClient(c.url(1), AgentCluster.TOKEN, Duration.ofSeconds(3))) {
            while (System.nanoTime() < end) {
                switch (step++ % 4) {
                    case 0 -> {
                        faults(n1, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n2\",\"n3\"]}]}");
                        sleep(1_500);
                        faults(n1, null);
                        done.add("partition n1 | n2 n3");
                    }
                    case 1 -> {
                        faults(n2, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n3\"],\"direction\":\"outbound\"}]}");
                        sleep(1_500);
                        faults(n2, null);
                        done.add("one-way partition n2 -> n3");
                    }
                    case 2 -> {
                        faults(n2, "{\"paused\":true}");
                        sleep(1_000);
                        faults(n2, null);
                        done.add("pause n2");
                    }
                    default -> {
                        if (kills) {
                            c.kill9(2);
                            sleep(500);
                            c.launch(2);
                            c.awaitHealthy(2);
                            done.add("kill -9 n3");
                        } else {
                            faults(n1, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n3\"]}]}");
                            sleep(1_500);
                            faults(n1, null);
                            done.add("partition n1 | n3");
                        }
                    }
                }
                sleep(300);
            }
        }
    }

}
