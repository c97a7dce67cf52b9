package dev.quorum.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.agent.replication.Ring;
import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.client.QuorumClient.Reply;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import dev.quorum.testing.RawHttp;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The balancer process in front of three real agents: proxying, strategies, health, ejection, retries, admin. */
class BalancerClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--enable-faults", "--probe-interval-ms", "200");

    private static Map<String, Integer> byBackend(List<Reply> replies) {
        Map<String, Integer> m = new TreeMap<>();
        for (Reply r : replies) {
            m.merge(r.header("X-Quorum-Backend"), 1, Integer::sum);
        }
        return m;
    }

    private static Reply admin(QuorumClient lb, String method, String path, String body) {
        return lb.raw(method, path, body == null ? null : body.getBytes(),
                Map.of("Authorization", "Bearer " + AgentCluster.TOKEN, "Content-Type", "application/json"));
    }

    private static JsonNode backend(QuorumClient lb, String id) {
        for (JsonNode b : lb.status().json().get("backends")) {
            if (b.get("id").asText().equals(id)) {
                return b;
            }
        }
        throw new AssertionError(id);
    }

    @Test
    void roundRobinProxiesFaithfullyAndSpreadsEvenly() throws Exception {
        AgentCluster c = ext.get();
        c.startBalancer();
        QuorumClient lb = c.balancerClient();
        Reply put = lb.put("rr", "hello".getBytes(), "text/plain", Options.DEFAULT);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(put.header("X-Quorum-Version")).isNotBlank();
        Reply get = lb.get("rr", Options.DEFAULT);
        assertThat(get.text()).isEqualTo("hello");
        assertThat(get.header("Content-Type")).isEqualTo("text/plain");
        assertThat(get.header("X-Quorum-Version")).isEqualTo(put.header("X-Quorum-Version"));
        Reply missing = lb.get("nothing-here", Options.DEFAULT);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isEqualTo("not_found");
        Reply badKey = lb.raw("GET", "/kv/%ZZ", null, Map.of());
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.header("X-Quorum-Backend")).as("refused by the balancer itself").isNull();
        Reply perRequest = lb.get("rr", Options.DEFAULT.consistency("eventual").traced());
        assertThat(perRequest.trace().get("consistency").asText()).as("X-Quorum-* headers reach the agent")
                .isEqualTo("eventual");

        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            replies.add(lb.get("rr", Options.DEFAULT));
        }
        assertThat(replies).allMatch(r -> r.status() == 200);
        assertThat(byBackend(replies)).isEqualTo(Map.of("n1", 100, "n2", 100, "n3", 100));
        String metrics = lb.metrics().text();
        assertThat(metrics).containsPattern("quorum_balancer_backend_requests_total\\{backend=\"n1\",status=\"200\"} \\d+");
        assertThat(metrics).contains("quorum_balancer_backend_up{backend=\"n3\"} 1");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(c.balancerLog())
                && Files.readString(c.balancerLog()).contains("\"backend\":\"n2\""));
        assertThat(Files.readString(c.balancerLog())).contains("\"upstream_ms\":");
    }

    @Test
    void consistentHashSendsEveryKeyToItsFirstReplica() {
        AgentCluster c = ext.get();
        c.startBalancer("--strategy", "consistent-hash");
        QuorumClient lb = c.balancerClient();
        Ring ring = new Ring(List.of("n1", "n2", "n3"), Ring.DEFAULT_VNODES);
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            String key = "ch-" + i;
            String first = lb.put(key, "v".getBytes(), "text/plain", Options.DEFAULT).header("X-Quorum-Backend");
            assertThat(first).isEqualTo(ring.preferenceList(key, 1).get(0));
            assertThat(lb.get(key, Options.DEFAULT).header("X-Quorum-Backend")).isEqualTo(first);
            seen.merge(first, 1, Integer::sum);
        }
        assertThat(seen).as("the ring spreads keys").hasSize(3);
    }

    @Test
    void leastConnectionsAvoidsASlowedBackend() throws Exception {
        AgentCluster c = ext.get();
        // n1's calls to its peers take 150 ms more: every request it coordinates is slow.
        Reply slow = admin(c.client(0), "POST", "/admin/faults", "{\"rules\":[{\"type\":\"latency\",\"peers\":[\"*\"],"
                + "\"direction\":\"outbound\",\"distribution\":\"constant\",\"ms\":150}]}");
        assertThat(slow.status()).as(slow.text()).isEqualTo(200);
        c.client(1).put("lc", "v");
        c.startBalancer("--strategy", "least-connections");
        List<Reply> replies = concurrentGets(c, 12, 25, "lc");
        Map<String, Integer> counts = byBackend(replies);
        assertThat(replies).allMatch(r -> r.status() == 200);
        assertThat(counts.getOrDefault("n1", 0)).as("%s", counts).isLessThan(replies.size() / 6);
    }

    private static List<Reply> concurrentGets(AgentCluster c, int threads, int each, String key) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Reply> all = java.util.Collections.synchronizedList(new ArrayList<>());
        try (QuorumClient lb = new QuorumClient(c.balancerUrl(), AgentCluster.TOKEN, Duration.ofSeconds(10))) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        all.add(lb.get(key, Options.DEFAULT));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        return all;
    }

    @Test
    void aKilledBackendCostsGetsNothingIsTakenOutAndComesBack() throws Exception {
        AgentCluster c = ext.get();
        c.client(0).put("k", "v");
        c.startBalancer("--health-interval-ms", "200");
        QuorumClient lb = c.balancerClient();
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try (QuorumClient reader = new QuorumClient(c.balancerUrl(), AgentCluster.TOKEN, Duration.ofSeconds(10))) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(readers.submit(() -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (running.get() && System.nanoTime() < end) {
                        statuses.merge(reader.get("k", Options.DEFAULT).status(), 1, Integer::sum);
                    }
                }));
            }
            Thread.sleep(300);
            c.kill9(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> !backend(lb, "n2").get("available").asBoolean());
            // Passive ejection may take it out first; the health checks follow within a few intervals.
            await().atMost(Duration.ofSeconds(10)).until(() -> !backend(lb, "n2").get("healthy").asBoolean());
            Thread.sleep(500);
            running.set(false);
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            readers.shutdownNow();
            readers.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(statuses.keySet()).as("%s", statuses).containsOnly(200);
        assertThat(statuses.get(200)).isGreaterThan(50);
        assertThat(lb.metrics().text()).contains("quorum_balancer_backend_up{backend=\"n2\"} 0")
                .containsPattern("quorum_balancer_retries_total\\{backend=\"n2\"} [1-9]");

        c.restart(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> backend(lb, "n2").get("available").asBoolean());
        List<Reply> after = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            after.add(lb.get("k", Options.DEFAULT));
        }
        assertThat(byBackend(after)).containsEntry("n2", 10);
    }

    @Test
    void aWriteThatMayHaveReachedAStuckBackendIsNotRetriedButAReadIs() {
        AgentCluster c = ext.get();
        c.client(0).put("w", "v0");
        c.startBalancer("--upstream-timeout-ms", "600", "--health-interval-ms", "60000");
        QuorumClient lb = c.balancerClient();
        c.signal(0, "STOP"); // n1 accepts connections but answers nothing
        try {
            List<Reply> puts = new ArrayList<>();
            List<Reply> gets = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                puts.add(lb.put("w", ("v" + (i + 1)).getBytes(), "text/plain", Options.DEFAULT));
                gets.add(lb.get("w", Options.DEFAULT));
            }
            List<Integer> putStatuses = puts.stream().map(Reply::status).toList();
            assertThat(putStatuses).as("one PUT went to the stuck n1 and was answered 504, not retried").contains(504);
            Reply timedOut = puts.stream().filter(r -> r.status() == 504).findFirst().orElseThrow();
            assertThat(timedOut.json().get("error").asText()).isEqualTo("gateway_timeout");
            assertThat(timedOut.json().get("backend").asText()).isEqualTo("n1");
            assertThat(gets).as("the GET sent to n1 was retried on another backend").allMatch(r -> r.status() == 200);
        } finally {
            c.signal(0, "CONT");
        }
    }

    @Test
    void theStrategyWeightsDrainAndBackupChangeLiveAndBadSettingsAreRefused() {
        AgentCluster c = ext.get();
        c.client(0).put("live", "v");
        c.startBalancer();
        QuorumClient lb = c.balancerClient();
        assertThat(admin(lb, "PUT", "/admin/config", "{\"strategy\":\"weighted-round-robin\"}").status()).isEqualTo(200);
        assertThat(admin(lb, "PUT", "/admin/backends/n1", "{\"weight\":3}").status()).isEqualTo(200);
        List<Reply> weighted = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            weighted.add(lb.get("live", Options.DEFAULT));
        }
        assertThat(byBackend(weighted)).isEqualTo(Map.of("n1", 60, "n2", 20, "n3", 20));

        assertThat(admin(lb, "PUT", "/admin/backends/n2", "{\"state\":\"drain\"}").status()).isEqualTo(200);
        assertThat(admin(lb, "PUT", "/admin/backends/n3", "{\"backup\":true}").status()).isEqualTo(200);
        List<Reply> onlyN1 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            onlyN1.add(lb.get("live", Options.DEFAULT));
        }
        assertThat(byBackend(onlyN1)).as("n2 drains, n3 is only a backup").isEqualTo(Map.of("n1", 20));
        assertThat(admin(lb, "PUT", "/admin/backends/n1", "{\"state\":\"maintenance\"}").status()).isEqualTo(200);
        assertThat(lb.get("live", Options.DEFAULT).header("X-Quorum-Backend")).as("the backup steps in").isEqualTo("n3");
        assertThat(lb.status().json().get("strategy").asText()).isEqualTo("weighted-round-robin");

        Reply badStrategy = admin(lb, "PUT", "/admin/config", "{\"strategy\":\"random\"}");
        assertThat(badStrategy.status()).isEqualTo(400);
        assertThat(badStrategy.json().get("message").asText()).contains("least-connections");
        assertThat(admin(lb, "PUT", "/admin/config", "{\"rise\":0}").json().get("error").asText()).isEqualTo("bad_config");
        assertThat(admin(lb, "PUT", "/admin/config", "{\"colour\":\"red\"}").json().get("error").asText())
                .isEqualTo("bad_json");
        assertThat(admin(lb, "PUT", "/admin/backends/n9", "{\"weight\":2}").status()).isEqualTo(404);
        assertThat(admin(lb, "PUT", "/admin/backends/n1", "{\"weight\":0}").status()).isEqualTo(400);
        assertThat(admin(lb, "PUT", "/admin/backends/n1", "{\"state\":\"asleep\"}").status()).isEqualTo(400);
        assertThat(lb.raw("GET", "/admin/status", null, Map.of()).status()).as("token required").isEqualTo(401);
        assertThat(admin(lb, "PUT", "/admin/backends/n2", "{\"state\":\"maintenance\"}").status()).isEqualTo(200);
        assertThat(admin(lb, "PUT", "/admin/backends/n3", "{\"state\":\"maintenance\"}").status()).isEqualTo(200);
        Reply none = lb.get("live", Options.DEFAULT);
        assertThat(none.status()).isEqualTo(503);
        assertThat(none.json().get("error").asText()).isEqualTo("no_backend");
        assertThat(lb.health().status()).isEqualTo(503);
    }

    @Test
    void badInputIsRefusedByTheBalancerItselfAndItsMetricsPassPromtool() throws Exception {
        AgentCluster c = ext.get();
        c.startBalancer("--max-value-bytes", "1024");
        QuorumClient lb = c.balancerClient();
        int port = java.net.URI.create(c.balancerUrl()).getPort();
        RawHttp.Response malformed = RawHttp.exchange(port, "NOT HTTP\r\n\r\n".getBytes(), Duration.ofSeconds(5));
        assertThat(malformed.status()).isEqualTo(400);
        RawHttp.Response tooBig = RawHttp.exchange(port, ("PUT /kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
                .getBytes(), Duration.ofSeconds(5));
        assertThat(tooBig.status()).isEqualTo(413);
        Reply patch = lb.raw("PATCH", "/kv/x", "v".getBytes(), Map.of());
        assertThat(patch.status()).isEqualTo(405);
        assertThat(patch.header("Allow")).contains("PUT");
        assertThat(lb.raw("GET", "/nowhere", null, Map.of()).status()).isEqualTo(404);
        assertThat(admin(lb, "PUT", "/admin/config", "{").json().get("error").asText()).isEqualTo("bad_json");
        assertThat(admin(lb, "PUT", "/admin/config", "").json().get("error").asText()).isEqualTo("bad_json");
        assertThat(admin(lb, "DELETE", "/admin/config", null).status()).isEqualTo(405);
        assertThat(lb.get("big", Options.DEFAULT).status()).as("nothing was written").isEqualTo(404);

        String text = lb.metrics().text();
        assertThat(text).contains("quorum_node_info{node=\"lb\",role=\"balancer\"");
        java.nio.file.Path promtool = java.nio.file.Path.of("/usr/bin/promtool");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(promtool),
                "promtool not installed (apt-get install prometheus); CI installs it");
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
