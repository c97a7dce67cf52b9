package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.client.Json;
import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Metrics, logs, live configuration and listing, against three real agents. */
class ControlPlaneClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--consistency", "eventual", "--probe-interval-ms", "200");

    @Test
    void metricsPassPromtoolAndCountRequests() throws Exception {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        n1.put("m1", "x");
        n1.get("m1");
        n1.get("missing");
        String text = n1.metrics().text();
        assertThat(text).contains("quorum_requests_total{op=\"put\",status=\"200\"} 1.0");
        assertThat(text).contains("quorum_requests_total{op=\"get\",status=\"404\"} 1.0");
        assertThat(text).contains("quorum_request_duration_seconds_bucket{op=\"get\"");
        assertThat(text).contains("quorum_replica_call_duration_seconds_count{op=\"put\",peer=\"n2\"}");
        assertThat(text).contains("quorum_peer_up{peer=\"n2\"} 1.0");
        assertThat(text).contains("jvm_memory_used_bytes");
        assertThat(text).contains("quorum_node_info{node=\"n1\",role=\"agent\"");

        Path promtool = findOnPath("promtool");
        Assumptions.assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus); CI installs it");
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void accessLogRecordsEveryRequestWithTraceIdAndReplicas() throws Exception {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        String traceId = "test-trace-42";
        QuorumClient.Reply put = n1.put("logged-key", "v".getBytes(), "text/plain",
                new Options(null, null, true, traceId));
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.header("X-Quorum-Trace-Id")).isEqualTo(traceId);

        JsonNode access = await().atMost(Duration.ofSeconds(10)).until(
                () -> findLogRecord(c.logFile(0), "request", traceId), r -> r != null);
        assertThat(access.get("op").asText()).isEqualTo("put");
        assertThat(access.get("key").asText()).isEqualTo("logged-key");
        assertThat(access.get("status").asInt()).isEqualTo(200);
        assertThat(access.get("latency_ms").isNumber()).isTrue();
        assertThat(access.get("node").asText()).isEqualTo("n1");
        assertThat(access.get("logger").asText()).isEqualTo("quorum.access");
        assertThat(access.get("replicas").size()).isGreaterThanOrEqualTo(2);
        assertThat(access.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        // A traced request is logged by the replicas that served it, under the same trace id.
        JsonNode replicaOp = await().atMost(Duration.ofSeconds(10)).until(
                () -> findLogRecord(c.logFile(1), "replica_op", traceId), r -> r != null);
        assertThat(replicaOp.get("node").asText()).isEqualTo("n2");
        assertThat(replicaOp.get("from").asText()).isEqualTo("n1");
    }

    @Test
    void configChangesApplyLiveSpreadToPeersAndSurviveRestarts() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        c.kill9(2); // n3 misses the change and must catch up when it returns

        QuorumClient.Reply bad = n1.updateConfig(Map.of("r", 4));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("message").asText()).contains("r must be between 1 and n");
        QuorumClient.Reply ok = n1.updateConfig(Map.of("w", 1, "r", 1));
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.json().get("propagated").get("n2").asText()).isEqualTo("ok");
        assertThat(ok.json().get("propagated").get("n3").asText()).isNotEqualTo("ok");
        assertThat(c.client(1).config().json().get("w").asInt()).isEqualTo(1);

        c.restart(2);
        QuorumClient n3 = c.client(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> n3.config().json().get("w").asInt() == 1);

        c.stop(1);
        c.restart(1);
        JsonNode afterRestart = c.client(1).config().json();
        assertThat(afterRestart.get("w").asInt()).as("persisted over the --w flag default").isEqualTo(1);
        assertThat(afterRestart.get("r").asInt()).isEqualTo(1);
    }

    @Test
    void aNodeOnlyConfigChangeStaysOnThatNode() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        QuorumClient n2 = c.client(1);
        long before = n2.config().json().get("version").asLong();

        QuorumClient.Reply change = n1.raw("PUT", "/admin/config?scope=node", "{\"w\":1}".getBytes(),
                Map.of("Authorization", "Bearer " + AgentCluster.TOKEN, "Content-Type", "application/json"));

        assertThat(change.status()).as(change.text()).isEqualTo(200);
        assertThat(change.json().has("propagated")).isFalse();
        assertThat(n1.config().json().get("w").asInt()).isEqualTo(1);
        // Several probe intervals (200 ms): a pull would have happened by now.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> n2.config().json().get("w").asInt() == 2);
        assertThat(n2.config().json().get("version").asLong()).isEqualTo(before);
    }

    @Test
    void headAnswersWithTheLengthOfTheValueEvenWhenEmpty() {
        QuorumClient n1 = ext.get().client(0);
        assertThat(n1.put("empty", new byte[0], "text/plain", Options.DEFAULT).status()).isEqualTo(200);
        QuorumClient.Reply head = n1.raw("HEAD", "/kv/empty", null, Map.of());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo("0");
        assertThat(head.version()).isNotNull();
        QuorumClient.Reply get = n1.get("empty");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEmpty();
    }

    @Test
    void listingMergesAllNodesPagesWithoutGapsAndHidesDeletedKeys() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String key = String.format("list/%02d", i);
            assertThat(n1.put(key, "v").status()).isEqualTo(200);
            expected.add(key);
        }
        n1.put("other", "v");
        assertThat(n1.delete("list/07", Options.DEFAULT).status()).isEqualTo(200);
        expected.remove("list/07");

        QuorumClient n2 = c.client(1);
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = n2.list("list/", after, 10).json();
            page.get("keys").forEach(k -> seen.add(k.asText()));
            assertThat(page.get("complete").asBoolean()).isTrue();
            after = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (after != null && pages < 10);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void getTraceShowsReplicasAskedAndTheirVersions() {
        AgentCluster c = ext.get();
        QuorumClient n1 = c.client(0);
        String version = n1.put("traced", "t").version();
        QuorumClient.Reply get = c.client(1).get("traced", Options.DEFAULT.traced());
        JsonNode trace = get.trace();
        assertThat(trace.get("coordinator").asText()).isEqualTo("n2");
        assertThat(trace.get("r").asInt()).isEqualTo(2);
        assertThat(trace.get("preference_list").size()).isEqualTo(3);
        assertThat(trace.get("replicas").size()).isEqualTo(2);
        for (JsonNode r : trace.get("replicas")) {
            assertThat(r.get("status").asText()).isEqualTo("ok");
            assertThat(r.get("version").asText()).isEqualTo(version);
            assertThat(r.get("latency_ms").asDouble()).isGreaterThanOrEqualTo(0);
        }
    }

    private static JsonNode findLogRecord(Path log, String event, String traceId) throws IOException {
        if (!Files.exists(log)) {
            return null;
        }
        for (String line : Files.readAllLines(log)) {
            if (line.contains(traceId) && line.contains("\"event\":\"" + event + "\"")) {
                return Json.MAPPER.readTree(line);
            }
        }
        return null;
    }

    private static Path findOnPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
