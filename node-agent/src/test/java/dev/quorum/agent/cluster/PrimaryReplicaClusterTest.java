package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.client.QuorumClient.Reply;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The primary-replica topology on three real agents: writes only on the primary, its ordered log
 * shipped to the replicas, read-your-writes by log position, lag while a replica is cut off,
 * resumption after kill -9, and promotion — with what asynchronous shipping loses.
 */
class PrimaryReplicaClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--topology", "primary-replica", "--primary", "n1",
            "--enable-faults", "--probe-interval-ms", "200", "--replica-timeout-ms", "500", "--request-timeout-ms", "1500");

    private static Reply faults(QuorumClient c, String body) {
        return c.raw(body == null ? "DELETE" : "POST", "/admin/faults", body == null ? null : body.getBytes(),
                Map.of("Authorization", "Bearer " + AgentCluster.TOKEN, "Content-Type", "application/json"));
    }

    private static Reply read(QuorumClient c, String key, String position) {
        return c.raw("GET", "/kv/" + key + "?trace=true", null, position == null ? Map.of()
                : Map.of("X-Quorum-Position", position));
    }

    private static JsonNode lag(QuorumClient primary, String replica) {
        return primary.status().json().get("causal").get("replication_lag").get(replica);
    }

    @Test
    void writesGoToThePrimaryAndAReadWithTheirPositionSeesThem() {
        AgentCluster c = ext.get();
        Reply put = c.client(0).put("a", "1".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.header("X-Quorum-Position")).isEqualTo("n1:1");
        assertThat(put.json().get("position").asText()).isEqualTo("n1:1");

        Reply refused = c.client(1).put("a", "2".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("not_primary");
        assertThat(refused.json().get("primary").asText()).isEqualTo("n1");

        for (int i = 1; i < 3; i++) {
            Reply get = read(c.client(i), "a", put.header("X-Quorum-Position"));
            assertThat(get.status()).as(get.text()).isEqualTo(200);
            assertThat(get.text()).isEqualTo("1");
            assertThat(get.header("X-Quorum-Position")).isEqualTo("n1:1");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> lag(c.client(0), "n3").get("lag_entries").asLong() == 0);
        assertThat(c.client(0).metrics().text()).contains("quorum_replication_lag_entries{replica=\"n2\"} 0");
        assertThat(read(c.client(1), "a", "zz:1").status()).as("a position from elsewhere").isEqualTo(400);
        assertThat(read(c.client(1), "a", "n1:x").status()).isEqualTo(400);
    }

    @Test
    void lagShowsWhileAReplicaIsCutOffItsReadersGoElsewhereAndItCatchesUp() {
        AgentCluster c = ext.get();
        QuorumClient primary = c.client(0);
        assertThat(faults(primary, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n3\"]}]}").status()).isEqualTo(200);
        String position = null;
        for (int i = 0; i < 50; i++) {
            Reply put = primary.put("k" + i, ("v" + i).getBytes(), "text/plain", Options.DEFAULT);
            assertThat(put.status()).isEqualTo(200);
            position = put.header("X-Quorum-Position");
        }
        assertThat(position).isEqualTo("n1:50");
        await().atMost(Duration.ofSeconds(5)).until(() -> lag(primary, "n2").get("lag_entries").asLong() == 0);
        JsonNode behind = lag(primary, "n3");
        assertThat(behind.get("lag_entries").asLong()).isEqualTo(50);
        assertThat(behind.get("lag_seconds").asDouble()).isGreaterThan(0);
        assertThat(primary.metrics().text()).contains("quorum_replication_lag_entries{replica=\"n3\"} 50");

        // n3 has not applied position 50: it waits, then a replica that has (n2) answers.
        Reply viaOther = read(c.client(2), "k49", position);
        assertThat(viaOther.status()).as(viaOther.text()).isEqualTo(200);
        assertThat(viaOther.text()).isEqualTo("v49");
        assertThat(viaOther.header("X-Quorum-Trace")).contains("\"n2\"");
        assertThat(c.client(2).get("k49").status()).as("without a position n3 answers from what it has").isEqualTo(404);

        assertThat(faults(primary, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> lag(primary, "n3").get("lag_entries").asLong() == 0);
        assertThat(lag(primary, "n3").get("lag_seconds").asDouble()).isZero();
        assertThat(c.client(2).get("k49").text()).isEqualTo("v49");
    }

    @Test
    void aReplicaKilledMidStreamResumesWhereItStopped() {
        AgentCluster c = ext.get();
        QuorumClient primary = c.client(0);
        for (int i = 0; i < 30; i++) {
            primary.put("r" + i, "v" + i);
            if (i == 10) {
                c.kill9(1);
            }
        }
        c.restart(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> lag(primary, "n2").get("lag_entries").asLong() == 0);
        for (int i = 0; i < 30; i++) {
            assertThat(c.client(1).get("r" + i).text()).isEqualTo("v" + i);
        }
    }

    @Test
    void aReplicaThatLostItsDataCatchesUpFromASnapshot() {
        AgentCluster c = ext.get();
        QuorumClient primary = c.client(0);
        for (int i = 0; i < 40; i++) {
            primary.put("snap" + i, "v" + i);
        }
        primary.delete("snap0", Options.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> lag(primary, "n3").get("lag_entries").asLong() == 0
                && lag(primary, "n2").get("lag_entries").asLong() == 0);
        // Every replica applied it all, so the primary's log is emptied (each second).
        await().atMost(Duration.ofSeconds(5)).until(() -> primary.status().json().get("causal").get("unshipped")
                .asLong() == 0);
        assertThat(c.stop(2)).isZero();
        c.wipe(2);
        c.restart(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> lag(primary, "n3").get("lag_entries").asLong() == 0
                && c.client(2).get("snap39").status() == 200);
        for (int i = 1; i < 40; i++) {
            assertThat(c.client(2).get("snap" + i).text()).isEqualTo("v" + i);
        }
        assertThat(c.client(2).get("snap0").status()).as("the delete came with the snapshot").isEqualTo(404);
        Reply next = primary.put("after-snapshot", "x".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(read(c.client(2), "after-snapshot", next.header("X-Quorum-Position")).text()).isEqualTo("x");
        assertThat(c.client(2).status().json().get("causal").get("applied").get("n1").asLong())
                .isEqualTo(Long.parseLong(next.header("X-Quorum-Position").substring(3)));
    }

    @Test
    void promotionMovesWritesToTheNewPrimaryAndTheOldOnesUnshippedWritesAreMissingUntilItReturns() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        n1.put("shipped", "s");
        await().atMost(Duration.ofSeconds(5)).until(() -> lag(n1, "n2").get("lag_entries").asLong() == 0
                && lag(n1, "n3").get("lag_entries").asLong() == 0);
        assertThat(faults(n1, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n2\",\"n3\"]}]}").status()).isEqualTo(200);
        Reply acked = n1.put("unshipped", "u".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(acked.status()).as("acknowledged by the primary alone").isEqualTo(200);
        c.kill9(0); // the primary dies with a write no replica has

        QuorumClient n2 = c.client(1);
        Reply promoted = n2.raw("POST", "/admin/promote", null, Map.of("Authorization", "Bearer " + AgentCluster.TOKEN));
        assertThat(promoted.status()).as(promoted.text()).isEqualTo(200);
        assertThat(promoted.json().get("previous_primary").asText()).isEqualTo("n1");
        Reply write = n2.put("after", "a".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(write.status()).as(write.text()).isEqualTo(200);
        assertThat(write.header("X-Quorum-Position")).isEqualTo("n2:1");
        await().atMost(Duration.ofSeconds(5)).until(() -> c.client(2).put("x", "y".getBytes(), "text/plain",
                Options.DEFAULT).status() == 409);
        assertThat(c.client(2).put("x", "y".getBytes(), "text/plain", Options.DEFAULT).json().get("primary").asText())
                .isEqualTo("n2");
        assertThat(read(c.client(2), "after", write.header("X-Quorum-Position")).text()).isEqualTo("a");
        assertThat(n2.get("shipped").text()).isEqualTo("s");
        assertThat(n2.get("unshipped").status()).as("lost while the old primary is away").isEqualTo(404);

        // The old primary comes back as a replica and ships what it had logged: last-writer-wins applies it.
        c.launch(0);
        c.awaitHealthy(0);
        await().atMost(Duration.ofSeconds(15)).until(() -> n2.get("unshipped").status() == 200);
        assertThat(n2.get("unshipped").text()).isEqualTo("u");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.client(0).put("z", "z".getBytes(), "text/plain",
                Options.DEFAULT).status() == 409);
    }

    @Test
    void theBalancerSendsWritesToThePrimaryAndReadsToReplicasThatAreNotTooFarBehind() {
        AgentCluster c = ext.get();
        c.startBalancer("--health-interval-ms", "200", "--max-lag-entries", "10");
        QuorumClient lb = c.balancerClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> "primary-replica".equals(lb.status().json().get("topology").asText()));
        Reply put = lb.put("s", "1".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.header("X-Quorum-Backend")).isEqualTo("n1");
        String position = put.header("X-Quorum-Position");
        Reply mine = lb.raw("GET", "/kv/s", null, Map.of("X-Quorum-Position", position));
        assertThat(mine.text()).as("read-your-writes through the balancer").isEqualTo("1");
        java.util.Set<String> readers = new java.util.TreeSet<>();
        for (int i = 0; i < 20; i++) {
            readers.add(lb.get("s", Options.DEFAULT).header("X-Quorum-Backend"));
        }
        assertThat(readers).containsExactly("n2", "n3");

        assertThat(faults(c.client(0), "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"n3\"]}]}").status())
                .isEqualTo(200);
        for (int i = 0; i < 20; i++) {
            assertThat(lb.put("lag" + i, "v".getBytes(), "text/plain", Options.DEFAULT).status()).isEqualTo(200);
        }
        // n3 is 20 entries behind (> 10): once the balancer's checks see it, reads avoid it.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            java.util.Set<String> now = new java.util.TreeSet<>();
            for (int i = 0; i < 6; i++) {
                now.add(lb.get("s", Options.DEFAULT).header("X-Quorum-Backend"));
            }
            return now.equals(java.util.Set.of("n2"));
        });
        assertThat(faults(c.client(0), null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            java.util.Set<String> now = new java.util.TreeSet<>();
            for (int i = 0; i < 6; i++) {
                now.add(lb.get("s", Options.DEFAULT).header("X-Quorum-Backend"));
            }
            return now.contains("n3");
        });
    }
}
