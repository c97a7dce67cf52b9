package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** POST /admin/faults on real agents: partitions, latency, pause, and their visibility. */
class FaultInjectionClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--consistency", "eventual", "--enable-faults", "--probe-interval-ms", "200",
            "--hint-interval-ms", "200", "--anti-entropy-interval-ms", "600000", "--replica-timeout-ms", "500");

    private static QuorumClient.Reply faults(QuorumClient c, String method, String body) {
        return c.raw(method, "/admin/faults", body == null ? null : body.getBytes(),
                Map.of("Authorization", "Bearer " + AgentCluster.TOKEN, "Content-Type", "application/json"));
    }

    private static boolean up(QuorumClient c, String peer) {
        for (JsonNode p : c.status().json().get("peers")) {
            if (p.get("id").asText().equals(peer)) {
                return p.get("up").asBoolean();
            }
        }
        throw new AssertionError(peer);
    }

    @Test
    void aPartitionMakesThePeerLookDownAndItsWritesBecomeHintsUntilHealed() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        QuorumClient.Reply set = faults(n1, "POST", "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n3\"]}]}");
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(n1.status().json().get("faults").get("rules").size()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> !up(n1, "n3"));
        // n3 cannot reach n1 either: the partition on n1 drops both directions.
        await().atMost(Duration.ofSeconds(10)).until(() -> !up(c.client(2), "n1"));
        QuorumClient.Reply put = n1.put("p1", "v".getBytes(), "text/plain", Options.DEFAULT.traced());
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text()).contains("\"hint_for\":\"n3\"");
        assertThat(n1.metrics().text()).containsPattern("quorum_fault_drops_total\\{direction=\"(in|out)bound\"} [1-9]");

        assertThat(faults(n1, "DELETE", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> up(n1, "n3"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> c.client(2).get("p1", Options.r(1)).status() == 200);
    }

    @Test
    void latencyOnALinkShowsInTheTrace() {
        QuorumClient n1 = ext.get().client(0);
        assertThat(faults(n1, "POST", "{\"rules\":[{\"type\":\"latency\",\"peers\":[\"n2\"],\"direction\":\"outbound\","
                + "\"distribution\":\"constant\",\"ms\":150}]}").status()).isEqualTo(200);
        QuorumClient.Reply put = n1.put("slow", "v".getBytes(), "text/plain", new Options(null, 3, true, null));
        assertThat(put.status()).isEqualTo(200);
        JsonNode n2 = null;
        for (JsonNode s : put.json().get("trace").get("replicas")) {
            if (s.get("node").asText().equals("n2")) {
                n2 = s;
            }
        }
        assertThat(n2).isNotNull();
        assertThat(n2.get("latency_ms").asDouble()).isGreaterThanOrEqualTo(150);
    }

    @Test
    void aPausedAgentAnswersNothingButItsFaultEndpoint() {
        AgentCluster c = ext.get();
        QuorumClient n2 = new QuorumClient(c.url(1), AgentCluster.TOKEN, Duration.ofSeconds(1));
        try {
            assertThat(faults(n2, "POST", "{\"paused\":true}").status()).isEqualTo(200);
            assertThat(catchTimeout(() -> n2.health())).as("no answer while paused").isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !up(c.client(0), "n2"));

            assertThat(faults(n2, "DELETE", null).status()).isEqualTo(200);
            assertThat(n2.health().status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> up(c.client(0), "n2"));
        } finally {
            n2.close();
        }
    }

    @Test
    void invalidRulesAreRefusedAndChangeNothing() {
        QuorumClient n1 = ext.get().client(0);
        for (String bad : new String[] {
            "{\"rules\":[{\"type\":\"earthquake\",\"peers\":[\"n2\"]}]}",
            "{\"rules\":[{\"type\":\"drop\",\"peers\":[\"n2\"],\"probability\":1.5}]}",
            "{\"rules\":[{\"type\":\"latency\",\"peers\":[\"n2\"],\"distribution\":\"uniform\",\"min_ms\":9,\"max_ms\":1}]}",
            "{\"rules\":[{\"type\":\"partition\",\"peers\":[]}]}",
            "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n2\"],\"direction\":\"sideways\"}]}"}) {
            QuorumClient.Reply r = faults(n1, "POST", bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("bad_fault");
        }
        assertThat(faults(n1, "GET", null).json().get("rules").size()).isZero();
    }

    private static boolean catchTimeout(Runnable r) {
        try {
            r.run();
            return false;
        } catch (UncheckedIOException timedOut) {
            return true;
        }
    }
}
