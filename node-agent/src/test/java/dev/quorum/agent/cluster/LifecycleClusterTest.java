package dev.quorum.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.agent.AgentLauncher;
import dev.quorum.client.QuorumClient;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.ClusterExtension;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** How an agent process stops: on SIGTERM under load, and when its parent dies. */
class LifecycleClusterTest {
    @RegisterExtension
    final ClusterExtension ext = ClusterExtension.of(3, "--probe-interval-ms", "200");

    @Test
    void sigtermUnderLoadExitsZeroAndLosesNoAcknowledgedWrite() throws Exception {
        AgentCluster c = ext.get();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch warm = new CountDownLatch(50);
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            for (int t = 0; t < 6; t++) {
                int thread = t;
                clients.submit(() -> {
                    try (QuorumClient n1 = new QuorumClient(c.url(0), null, Duration.ofSeconds(10))) {
                        for (int i = 0; i < 5_000 && !stop.get(); i++) {
                            String key = "t" + thread + "-" + i;
                            try {
                                if (n1.put(key, key).status() == 200) {
                                    acked.add(key);
                                    warm.countDown();
                                }
                            } catch (UncheckedIOException closedOrRefused) {
                                return; // the agent stopped: not acknowledged, nothing to check
                            }
                        }
                    }
                });
            }
            assertThat(warm.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(c.stop(0)).as("exit code after SIGTERM").isZero();
        } finally {
            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        QuorumClient n2 = c.client(1);
        for (String key : acked) {
            QuorumClient.Reply r = n2.get(key);
            assertThat(r.status()).as(key).isEqualTo(200);
            assertThat(r.text()).isEqualTo(key);
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(50);
    }

    @Test
    void agentExitsWhenItsParentProcessDies(@TempDir Path dir) throws Exception {
        Process parent = new ProcessBuilder("sleep", "120").start();
        Process agent = null;
        try {
            var node = new AgentLauncher.Node("solo", AgentLauncher.freePort(), dir.resolve("solo"));
            List<String> cmd = AgentLauncher.agentCommand(node, AgentLauncher.peersSpec(List.of(node), "127.0.0.1"),
                    null, parent.pid(), AgentLauncher.DEFAULT_JVM_FLAGS, List.of());
            agent = AgentLauncher.processBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("solo.out").toFile()).start();
            try (QuorumClient client = new QuorumClient("http://127.0.0.1:" + node.port(), null)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> client.health().status() == 200);
            }
            parent.destroy();
            assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("solo.out"))).isTrue();
            assertThat(agent.exitValue()).isZero();
        } finally {
            parent.destroyForcibly();
            if (agent != null && agent.isAlive()) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
