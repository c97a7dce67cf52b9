package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.testing.AgentCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code quorum workload} end to end against real agents: options in, figures and verdict out, history file. */
class WorkloadCliTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aCausalRunWithHoppingSessionsIsCheckedCausalAndItsHistoryChecksAgain() throws Exception {
        try (AgentCluster c = AgentCluster.start(Files.createDirectories(dir.resolve("cluster")), 3, "--consistency",
                "causal")) {
            Path history = dir.resolve("h.jsonl");
            CliRun r = CliRun.of("workload", "--nodes", c.url(0) + "," + c.url(1) + "," + c.url(2), "--consistency",
                    "causal",
                    "--hop", "--clients", "4", "--duration", "3s", "--keys", "5", "--seed", "7", "--history",
                    history.toString(), "--check");
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("ops: ").contains("stale reads: ").contains("causal: 4 sessions");
            assertThat(r.lastLine()).isEqualTo("verdict: causal");
            assertThat(Files.readAllLines(history)).hasSizeGreaterThan(20);

            CliRun again = CliRun.of("check", "--model", "causal", history.toString());
            assertThat(again.status()).as(again.out() + again.err()).isZero();
            assertThat(again.out()).startsWith("causal: 4 sessions");
            CliRun linear = CliRun.of("workload", "--nodes", c.url(0), "--consistency", "strong", "--clients", "2",
                    "--ops", "200", "--keys", "3", "--check");
            assertThat(linear.status()).as(linear.out() + linear.err()).isZero();
            assertThat(linear.lastLine()).isEqualTo("verdict: linearizable");
        }
    }

    @Test
    void badOptionsAreExit2WithAReadableMessage() {
        CliRun r = CliRun.of("workload", "--nodes", "http://127.0.0.1:1", "--check-model", "sideways");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--check-model must be linearizable or causal");
        CliRun none = CliRun.of("workload", "--nodes", "http://127.0.0.1:1", "--ops", "5", "--timeout", "1s");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("no operation succeeded");
    }
}
