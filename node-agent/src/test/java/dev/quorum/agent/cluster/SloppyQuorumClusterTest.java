package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.agent.replication.Ring;
import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Five agents, N=3: when a replica of the key is down, the write goes to the next healthy node
 * beyond the preference list as a hint (sloppy quorum), counts toward W, and is handed off when
 * the replica returns.
 */
class SloppyQuorumClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(5, "--consistency", "eventual", "--n", "3", "--r", "2", "--w", "3",
            "--probe-interval-ms", "200", "--hint-interval-ms", "200", "--anti-entropy-interval-ms", "600000");

    @Test
    void aStandInHoldsTheWriteForADownReplicaAndHandsItOff() {
        AgentCluster c = ext.get();
        Ring ring = new Ring(List.of("n1", "n2", "n3", "n4", "n5"), Ring.DEFAULT_VNODES);
        // A key whose preference list includes n5 but not n1, so n1 coordinates without holding it.
        String key = null;
        for (int i = 0; key == null; i++) {
            List<String> pref = ring.preferenceList("sloppy-" + i, 3);
            if (pref.contains("n5") && !pref.contains("n1")) {
                key = "sloppy-" + i;
            }
        }
        List<String> walk = ring.walk(key);
        int down = 4; // n5
        c.kill9(down);
        QuorumClient n1 = c.client(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> !peerUp(n1, "n5"));

        QuorumClient.Reply put = n1.put(key, "v".getBytes(), "text/plain", Options.DEFAULT.traced());

        assertThat(put.status()).as(put.text()).isEqualTo(200); // W=3 reached with the stand-in
        JsonNode standIn = null;
        for (JsonNode step : put.json().get("trace").get("replicas")) {
            if (step.get("role").asText().equals("stand-in") && step.get("status").asText().equals("ok")) {
                standIn = step;
            }
        }
        assertThat(standIn).as(put.text()).isNotNull();
        assertThat(standIn.get("hint_for").asText()).isEqualTo("n5");
        String holder = standIn.get("node").asText();
        assertThat(walk.subList(3, walk.size())).contains(holder);
        int holderIndex = Integer.parseInt(holder.substring(1)) - 1;
        QuorumClient holderClient = c.client(holderIndex);
        // hints_pending in /admin/status is refreshed every two seconds
        await().atMost(Duration.ofSeconds(10))
                .until(() -> holderClient.status().json().get("hints_pending").path("n5").asLong() == 1);

        c.restart(down);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> holderClient.status().json().get("hints_pending_total").asLong() == 0);
        QuorumClient.Reply onN5 = c.client(down).get(key, Options.r(1));
        assertThat(onN5.status()).isEqualTo(200);
        assertThat(onN5.version()).isEqualTo(put.version());
    }

    private static boolean peerUp(QuorumClient c, String id) {
        for (JsonNode p : c.status().json().get("peers")) {
            if (p.get("id").asText().equals(id)) {
                return p.get("up").asBoolean();
            }
        }
        throw new AssertionError("no peer " + id);
    }
}
