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
 * The causal model on three real agents: session tokens, dependencies waited for or found on another
 * replica, writes applied in causal order at every replica even when a link is cut, and the log that
 * survives kill -9.
 */
class CausalConsistencyClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--consistency", "causal", "--enable-faults",
            "--probe-interval-ms", "200", "--replica-timeout-ms", "500", "--request-timeout-ms", "1500");

    private static Reply faults(QuorumClient c, String body) {
        return c.raw(body == null ? "DELETE" : "POST", "/admin/faults", body == null ? null : body.getBytes(),
                Map.of("Authorization", "Bearer " + AgentCluster.TOKEN, "Content-Type", "application/json"));
    }

    private static void partition(QuorumClient c, String... peers) {
        Reply r = faults(c, "{\"rules\":[{\"type\":\"partition\",\"peers\":[\"" + String.join("\",\"", peers) + "\"]}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private static long applied(QuorumClient c, String origin) {
        JsonNode a = c.status().json().get("causal").get("applied");
        return a.has(origin) ? a.get(origin).asLong() : 0;
    }

    @Test
    void aSessionReadsItsWritesOnAnyNodeAndTheTokenGrows() {
        AgentCluster c = ext.get();
        Reply put = c.client(0).put("a", "1".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.json().get("consistency").asText()).isEqualTo("causal");
        String token = put.session();
        assertThat(token).isNotBlank();

        // On another node, with the token: the write is there (waited for if need be), never an older state.
        Reply get = c.client(1).get("a", Options.DEFAULT.session(token));
        assertThat(get.status()).as(get.text()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("1");
        assertThat(get.session()).isEqualTo(token);

        Reply put2 = c.client(2).put("a", "2".getBytes(), "text/plain", Options.DEFAULT.session(get.session()));
        assertThat(put2.status()).isEqualTo(200);
        assertThat(put2.session()).isNotEqualTo(token);
        assertThat(c.client(0).get("a", Options.DEFAULT.session(put2.session())).text()).isEqualTo("2");
        // Every node converges on the last write.
        for (int i = 0; i < 3; i++) {
            QuorumClient n = c.client(i);
            await().atMost(Duration.ofSeconds(5)).until(() -> "2".equals(n.get("a").text()));
        }
    }

    @Test
    void aLaggingNodeWaitsThenAsksAReplicaThatHasTheSessionsWrites() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        QuorumClient n2 = c.client(1);
        partition(n1, "n2"); // n1's writes cannot reach n2; n3 gets them
        Reply put = n1.put("k", "v1".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(put.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> applied(c.client(2), "n1") >= 1);

        Reply get = n2.get("k", Options.DEFAULT.session(put.session()).traced());
        assertThat(get.status()).as(get.text()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("v1");
        assertThat(get.trace().toString()).contains("n3");
        // Without the token n2 answers from what it has: nothing yet (causal allows it; it is the session that matters).
        assertThat(n2.get("k").status()).isEqualTo(404);

        // Cut n3 off from n1 as well: no replica has the write n2 must include, so 503, never the old state.
        partition(n1, "n2", "n3");
        Reply put2 = n1.put("k", "v2".getBytes(), "text/plain", Options.DEFAULT.session(put.session()));
        assertThat(put2.status()).isEqualTo(200);
        Reply stale = n2.get("k", Options.DEFAULT.session(put2.session()));
        assertThat(stale.status()).as(stale.text()).isEqualTo(503);
        assertThat(stale.json().get("error").asText()).isEqualTo("causal_unavailable");
        assertThat(stale.json().get("needed").get("n1").asLong()).isEqualTo(applied(n1, "n1"));

        assertThat(faults(n1, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> n2.get("k", Options.DEFAULT.session(put2.session())).status() == 200);
        assertThat(n2.get("k").text()).isEqualTo("v2");
    }

    @Test
    void aWriteIsNotVisibleAnywhereBeforeTheWritesItDependsOn() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        QuorumClient n2 = c.client(1);
        QuorumClient n3 = c.client(2);
        partition(n1, "n2"); // n2 will not get n1's writes until healed
        Reply x = n1.put("x", "x1".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(x.status()).isEqualTo(200);
        // A session that saw x writes y through n3: y depends on x.
        Reply sawX = n3.get("x", Options.DEFAULT.session(x.session()));
        assertThat(sawX.text()).isEqualTo("x1");
        Reply y = n3.put("y", "y1".getBytes(), "text/plain", Options.DEFAULT.session(sawX.session()));
        assertThat(y.status()).isEqualTo(200);

        // n2 receives y from n3 but must hold it back: x has not reached it.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> n2.status().json().get("causal").get("waiting_for_dependencies").asInt() >= 1);
        assertThat(n2.get("y").status()).as("y is invisible on n2 while x is missing").isEqualTo(404);
        assertThat(n2.get("x").status()).isEqualTo(404);
        assertThat(n2.metrics().text()).containsPattern("quorum_causal_waiting_writes\\S* [1-9]");

        assertThat(faults(n1, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> n2.get("y").status() == 200);
        assertThat(n2.get("x").text()).as("x arrived no later than y").isEqualTo("x1");
        assertThat(n2.status().json().get("causal").get("waiting_for_dependencies").asInt()).isZero();
    }

    @Test
    void acknowledgedCausalWritesSurviveKill9AndAreShippedAfterRestart() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        partition(n1, "n2", "n3");
        String token = null;
        for (int i = 0; i < 20; i++) {
            Reply put = n1.put("d" + i, ("v" + i).getBytes(), "text/plain", Options.DEFAULT.session(token));
            assertThat(put.status()).isEqualTo(200);
            token = put.session();
        }
        c.kill9(0); // the partition dies with the process; the writes exist only in n1's store and log
        c.restart(0);
        String last = token;
        await().atMost(Duration.ofSeconds(15))
                .until(() -> c.client(1).get("d19", Options.DEFAULT.session(last)).status() == 200);
        for (int i = 0; i < 20; i++) {
            assertThat(c.client(2).get("d" + i, Options.DEFAULT.session(last)).text()).isEqualTo("v" + i);
        }
        assertThat(c.client(0).status().json().get("causal").get("applied").get("n1").asLong()).isEqualTo(20);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> c.client(0).status().json().get("causal").get("unshipped").asLong() == 0);
    }

    @Test
    void aTokenThisClusterDidNotIssueIsRefused() {
        QuorumClient n1 = ext.get().client(0);
        Reply garbage = n1.get("a", Options.DEFAULT.session("%%%"));
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.json().get("error").asText()).isEqualTo("bad_header");
        String foreign = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("zz:3".getBytes());
        Reply other = n1.get("a", Options.DEFAULT.session(foreign));
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().get("message").asText()).contains("'zz'");
    }

    @Test
    void causalNeedsEveryKeyOnEveryNode() {
        Reply r = ext.get().client(0).updateConfig(Map.of("n", 2));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).contains("n must equal the cluster size 3");
    }
}
