package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read repair and anti-entropy, each alone: hinted hand-off and anti-entropy are slowed to ten
 * minutes so that only the mechanism under test can fix the stale replica.
 */
class RepairClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--consistency", "eventual", "--n", "3", "--r", "2", "--w", "2",
            "--probe-interval-ms", "200", "--hint-interval-ms", "600000", "--anti-entropy-interval-ms", "600000");

    @Test
    void readRepairFixesAStaleReplica() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        QuorumClient n3 = c.client(2);
        assertThat(n1.put("rr", "old").status()).isEqualTo(200);
        await().until(() -> n3.get("rr", Options.r(1)).text().equals("old"));

        c.stop(2);
        assertThat(n1.put("rr", "new").status()).isEqualTo(200);
        c.restart(2);
        assertThat(n3.get("rr", Options.r(1)).text()).as("n3 missed the write").isEqualTo("old");

        QuorumClient.Reply read = n3.get("rr", Options.DEFAULT.traced());

        assertThat(read.text()).isEqualTo("new");
        assertThat(read.trace().get("repairs").toString()).contains("\"node\":\"n3\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> n3.get("rr", Options.r(1)).text().equals("new"));
        await().atMost(Duration.ofSeconds(5)).until(() -> n3.metrics().text()
                .lines().anyMatch(l -> l.startsWith("quorum_read_repairs_total") && !l.endsWith(" 0.0")));
    }

    @Test
    void antiEntropyConvergesANodeRestartedWithAnEmptyDataDirectory() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        int keys = 300;
        for (int i = 0; i < keys; i++) {
            assertThat(n1.put("ae-" + i, "value-" + i).status()).isEqualTo(200);
        }
        assertThat(n1.delete("ae-0", Options.DEFAULT).status()).isEqualTo(200);
        c.kill9(2);
        c.wipe(2);
        c.restart(2);
        QuorumClient n3 = c.client(2);
        assertThat(n3.get("ae-1", Options.r(1)).status()).as("n3 starts empty").isEqualTo(404);

        QuorumClient.Reply change = n1.updateConfig(Map.of("anti_entropy_interval_ms", 300));
        assertThat(change.status()).as(change.text()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> n3.status().json().get("keys").asLong() == keys - 1);
        for (int i = 1; i < keys; i++) {
            QuorumClient.Reply r = n3.get("ae-" + i, Options.r(1));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("value-" + i);
        }
        QuorumClient.Reply deleted = n3.get("ae-0", Options.r(1));
        assertThat(deleted.status()).as("the tombstone converged too").isEqualTo(404);
        assertThat(deleted.json().has("deleted_version")).isTrue();
    }
}
