package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Three real agent processes, N=3 R=2 W=2, and the replication promises of the eventual model. */
class ReplicationClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--consistency", "eventual", "--n", "3", "--r", "2", "--w", "2",
            "--hint-interval-ms", "200", "--probe-interval-ms", "200", "--anti-entropy-interval-ms", "600000",
            "--request-timeout-ms", "20000");

    @Test
    void writesWithOneNodeDownSucceedAndItsHintIsDeliveredWhenItReturns() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        c.kill9(2);

        QuorumClient.Reply put = n1.put("k1", "v1".getBytes(), "text/plain", Options.DEFAULT.traced());

        assertThat(put.status()).as(put.text()).isEqualTo(200);
        JsonNode trace = put.json().get("trace");
        assertThat(trace.toString()).contains("\"node\":\"n3\"").contains("local-hint");
        await().atMost(Duration.ofSeconds(10)).until(() -> hintsPending(n1) == 1);

        c.restart(2);

        await().atMost(Duration.ofSeconds(15)).until(() -> hintsPending(n1) == 0);
        QuorumClient.Reply fromN3 = c.client(2).get("k1", Options.r(1));
        assertThat(fromN3.status()).isEqualTo(200);
        assertThat(fromN3.text()).isEqualTo("v1");
        assertThat(fromN3.version()).isEqualTo(put.version());
    }

    @Test
    void writesWithTwoNodesDownFailWith503AndDetails() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        c.kill9(1);
        c.kill9(2);

        QuorumClient.Reply put = n1.put("k2", "v2".getBytes(), "text/plain", Options.DEFAULT);

        assertThat(put.status()).isEqualTo(503);
        JsonNode body = put.json();
        assertThat(body.get("error").asText()).isEqualTo("quorum_failed");
        assertThat(body.get("needed").asInt()).isEqualTo(2);
        assertThat(body.get("acked").asInt()).isEqualTo(1);
        assertThat(body.get("failures").has("n2")).isTrue();
        assertThat(body.get("failures").has("n3")).isTrue();
        assertThat(body.get("outcome").asText()).isEqualTo("unknown"); // n1 itself holds the write
        assertThat(put.header("Retry-After")).isNotNull();

        QuorumClient.Reply get = n1.get("k2");
        assertThat(get.status()).isEqualTo(503);
    }

    @Test
    void aReadThatCannotReachRFailsAsSoonAsEveryReplicaHasAnswered() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        assertThat(n1.put("r3", "v").status()).isEqualTo(200);
        c.kill9(2);

        long start = System.nanoTime();
        QuorumClient.Reply get = n1.get("r3", Options.r(3));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertThat(get.status()).isEqualTo(503);
        assertThat(get.json().get("needed").asInt()).isEqualTo(3);
        assertThat(get.json().get("acked").asInt()).isEqualTo(2);
        // The request timeout is 20 s: answering well before it shows the read did not just time out.
        assertThat(seconds).isLessThan(10);
    }

    @Test
    void acknowledgedWritesSurviveKill9AndRestart() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        for (int i = 0; i < 200; i++) {
            assertThat(n1.put("durable-" + i, "value-" + i).status()).isEqualTo(200);
        }
        for (int node = 0; node < 3; node++) {
            c.kill9(node);
        }
        for (int node = 0; node < 3; node++) {
            c.launch(node);
        }
        for (int node = 0; node < 3; node++) {
            c.awaitHealthy(node);
        }
        // Every replica that acked holds the write; with W=2 at least two hold each: R=2 reads see it.
        QuorumClient n2 = c.client(1);
        for (int i = 0; i < 200; i++) {
            QuorumClient.Reply r = n2.get("durable-" + i);
            assertThat(r.status()).as("durable-" + i).isEqualTo(200);
            assertThat(r.text()).isEqualTo("value-" + i);
        }
    }

    @Test
    void sigtermStopsCleanlyWithExitCodeZero() {
        AgentCluster c = ext.get();
        assertThat(c.client(0).put("before-stop", "x").status()).isEqualTo(200);
        assertThat(c.stop(0)).isZero();
    }

    static long hintsPending(QuorumClient c) {
        return c.status().json().get("hints_pending_total").asLong();
    }
}
