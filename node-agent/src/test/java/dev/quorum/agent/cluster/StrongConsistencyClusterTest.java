package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Strong mode (ABD) on three real agents, N=3 R=2 W=2: two-phase writes, reads that write back
 * before answering, no sloppy quorum. Hinted hand-off and anti-entropy are slowed down so that
 * only the protocol can make replicas agree.
 */
class StrongConsistencyClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--consistency", "strong", "--probe-interval-ms", "200",
            "--hint-interval-ms", "600000", "--anti-entropy-interval-ms", "600000");

    @Test
    void aWriteReadsVersionsFirstThenWritesAndAReadSeesIt() {
        QuorumClient n1 = ext.get().client(0);
        QuorumClient.Reply put = n1.put("s1", "v1".getBytes(), "text/plain", Options.DEFAULT.traced());
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        JsonNode trace = put.json().get("trace");
        assertThat(trace.get("consistency").asText()).isEqualTo("strong");
        List<String> roles = new ArrayList<>();
        trace.get("replicas").forEach(s -> roles.add(s.get("role").asText()));
        assertThat(roles).contains("version-read", "replica");
        assertThat(roles.indexOf("version-read")).isLessThan(roles.indexOf("replica"));

        QuorumClient.Reply get = ext.get().client(2).get("s1");
        assertThat(get.text()).isEqualTo("v1");
        assertThat(get.version()).isEqualTo(put.version());
    }

    @Test
    void aNewWriteGetsAVersionAboveEveryVersionItRead() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        QuorumClient n3 = c.client(2);
        String first = n1.put("s2", "a").version();
        String second = n3.put("s2", "b").version();
        assertThat(Long.parseLong(second.split("@")[0])).isGreaterThan(Long.parseLong(first.split("@")[0]));
        assertThat(n1.get("s2").text()).isEqualTo("b");
    }

    @Test
    void withTwoReplicasDownAWriteFailsBeforeWritingAnything() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        c.kill9(1);
        c.kill9(2);
        QuorumClient.Reply put = n1.put("s3", "never".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(put.status()).isEqualTo(503);
        assertThat(put.json().get("error").asText()).isEqualTo("quorum_failed");
        assertThat(put.json().get("outcome").asText()).as("the version read failed: nothing was written")
                .isEqualTo("not_applied");
        QuorumClient.Reply get = n1.get("s3");
        assertThat(get.status()).as("never a guess from one replica").isEqualTo(503);
        assertThat(n1.get("s3", new Options(1, null, false, null).eventual()).status()).isEqualTo(404);
    }

    @Test
    void aReadWritesTheNewestValueBackBeforeAnswering() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        c.stop(2);
        assertThat(n1.put("s4", "new").status()).isEqualTo(200); // on n1 and n2
        c.restart(2);
        QuorumClient n3 = c.client(2);
        assertThat(n3.get("s4", new Options(1, null, false, null).eventual()).status()).as("n3 missed it")
                .isEqualTo(404);
        c.stop(0); // now n2 is the only replica holding it: W=2 needs a write-back to n3

        QuorumClient.Reply read = n3.get("s4", Options.DEFAULT.traced());

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text()).isEqualTo("new");
        List<String> writeBacks = new ArrayList<>();
        read.trace().get("replicas").forEach(s -> {
            if (s.get("role").asText().equals("write-back") && s.get("status").asText().equals("ok")) {
                writeBacks.add(s.get("node").asText());
            }
        });
        assertThat(writeBacks).containsExactly("n3");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> n3.get("s4", new Options(1, null, false, null).eventual()).text().equals("new"));
    }
}
