package dev.quorum.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.agent.AgentLauncher;
import dev.quorum.client.QuorumClient;
import dev.quorum.testing.AgentCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real traffic through a generated HAProxy file to three agents, before and after one is killed. */
class HaproxyServingTest {
    private static final int KEYS = 8;

    @TempDir
    Path dir;

    @Test
    @Timeout(150)
    void servesTheClusterAndSurvivesAKilledAgent() throws IOException {
        Path haproxy = ProxyBinaries.haproxy();
        try (AgentCluster c = AgentCluster.start(Files.createDirectories(dir.resolve("cluster")), 3)) {
            int port = AgentLauncher.freePort();
            ExportSpec spec = ExportSpec.of(Backends.parse(List.of(c.url(0), c.url(1), c.url(2))),
                    Strategy.CONSISTENT_HASH, port);
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, HaproxyConfig.render(spec, Instant.now()));
            List<String> cmd = List.of(haproxy.toString(), "-f", cfg.toString(), "-db");
            try (ProxyProcess proxy = ProxyProcess.start(port, dir.resolve("haproxy.out"), cmd);
                    QuorumClient via = proxy.client()) {
                proxy.awaitServing();
                for (int i = 0; i < KEYS; i++) {
                    assertThat(via.put("h" + i, "value-" + i).status()).isBetween(200, 299);
                }
                c.kill9(2);
                for (int i = 0; i < KEYS; i++) {
                    QuorumClient.Reply get = via.get("h" + i);
                    assertThat(get.status()).as("GET h%d after n3 died: %s\n%s", i, get.text(), proxy.output())
                            .isEqualTo(200);
                    assertThat(get.text()).isEqualTo("value-" + i);
                }
            }
        }
    }
}
