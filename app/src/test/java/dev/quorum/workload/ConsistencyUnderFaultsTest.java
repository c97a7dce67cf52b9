package dev.quorum.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.check.CheckOptions;
import dev.quorum.check.CheckResult;
import dev.quorum.check.KvRegisterModel;
import dev.quorum.check.LinearizabilityChecker;
import dev.quorum.check.Outcome;
import dev.quorum.check.Verdict;
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
 * The checker against real clusters: strong mode stays linearizable while a nemesis partitions,
 * pauses, freezes (SIGSTOP) and kills agents; eventual mode with R = W = 1 under a partition does
 * not — and the checker says so. (A checker that never fails proves nothing.)
 */
class ConsistencyUnderFaultsTest {
    private static final Duration RUN = Nemesis.RUN;

    @Test
    @Timeout(180)
    void strongModeIsLinearizableUnderPartitionsPausesStopsAndKills(@TempDir Path dir) throws Exception {
        try (AgentCluster c = AgentCluster.start(dir, 3, "--consistency", "strong", "--enable-faults",
                "--probe-interval-ms", "200", "--replica-timeout-ms", "400", "--request-timeout-ms", "1500",
                "--hint-interval-ms", "300", "--anti-entropy-interval-ms", "2000")) {
            WorkloadSpec spec = spec(c, null, 6, 8, 0.5, 11);
            List<String> done = new ArrayList<>();
            WorkloadResult result = Nemesis.runWith(spec, () -> nemesis(c, done));
            report("strong", result, done);
            assertThat(done).as("faults injected").hasSizeGreaterThanOrEqualTo(4);
            assertThat(result.counts().get("put").getOrDefault("ok", 0L)).isGreaterThan(50);
            assertThat(result.history().stream().anyMatch(o -> o.outcome() != Outcome.OK))
                    .as("the faults had an effect on some operations").isTrue();
            CheckResult verdict = check(result);
            assertThat(verdict.verdict()).as(verdict.toJson().toString()).isEqualTo(Verdict.LINEARIZABLE);
        }
    }

    @Test
    @Timeout(180)
    void eventualModeWithOneReplicaQuorumsUnderAPartitionIsCaught(@TempDir Path dir) throws Exception {
        try (AgentCluster c = AgentCluster.start(dir, 3, "--consistency", "eventual", "--r", "1", "--w", "1",
                "--enable-faults", "--probe-interval-ms", "200", "--replica-timeout-ms", "400",
                "--hint-interval-ms", "600000", "--anti-entropy-interval-ms", "600000")) {
            // n1 | n2 n3: each side keeps serving reads and writes on its own.
            try (QuorumClient n1 = c.client(0)) {
                assertThat(faults(n1, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n2\",\"n3\"]}]}"))
                        .isEqualTo(200);
            }
            WorkloadSpec spec = spec(c, "eventual", 6, 3, 0.6, 12);
            WorkloadResult result = new WorkloadRunner(spec).run(op -> { });
            report("eventual R=W=1, partitioned", result, List.of("partition n1 | n2 n3"));
            CheckResult verdict = check(result);
            assertThat(verdict.verdict()).as("a stale read must be found").isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(verdict.violations()).isNotEmpty();
        }
    }

    private static WorkloadSpec spec(AgentCluster c, String consistency, int clients, int keys, double reads,
            long seed) {
        return new WorkloadSpec(urls(c), AgentCluster.TOKEN, consistency, clients, RUN, 0, keys, reads, 0.05,
                WorkloadSpec.KeyDistribution.UNIFORM, 16, 0, seed, Duration.ofSeconds(2), "t" + seed + "/", false);
    }

    /** Faults one after another during the run, each healed before the next. */
    private static void nemesis(AgentCluster c, List<String> done) {
        long end = System.nanoTime() + RUN.toNanos() - Duration.ofSeconds(2).toNanos();
        int step = 0;
        try (QuorumClient n1 = new QuorumClient(c.url(0), AgentCluster.TOKEN, Duration.ofSeconds(3));
                QuorumClient n2 = new QuorumClient(c.url(1), AgentCluster.TOKEN, Duration.ofSeconds(3))) {
            while (System.nanoTime() < end) {
                switch (step++ % 4) {
                    case 0 -> {
                        faults(n1, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n3\"]}]}");
                        sleep(1_200);
                        faults(n1, null);
                        done.add("partition n1 - n3");
                    }
                    case 1 -> {
                        faults(n2, "{\"paused\":true}");
                        sleep(1_200);
                        faults(n2, null);
                        done.add("pause n2");
                    }
                    case 2 -> {
                        c.signal(0, "STOP");
                        sleep(1_000);
                        c.signal(0, "CONT");
                        done.add("SIGSTOP n1");
                    }
                    default -> {
                        c.kill9(2);
                        sleep(500);
                        c.launch(2);
                        c.awaitHealthy(2);
                        done.add("kill -9 n3");
                    }
                }
                sleep(400);
            }
        }
    }

    private static CheckResult check(WorkloadResult result) {
        try (LinearizabilityChecker checker = new LinearizabilityChecker(
                CheckOptions.defaults().withTimeout(Duration.ofSeconds(60)))) {
            return checker.check(KvRegisterModel.INSTANCE, result.history());
        }
    }

}
