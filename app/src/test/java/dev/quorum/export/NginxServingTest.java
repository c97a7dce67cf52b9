package dev.quorum.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.agent.AgentLauncher;
import dev.quorum.client.QuorumClient;
import dev.quorum.testing.AgentCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic through a generated nginx file to three real agents: writes and reads come back, every
 * node takes its share, and after one agent is killed reads still succeed (retried on the next node)
 * while no write is ever sent to a second node.
 */
class NginxServingTest {
    private static final int KEYS = 12;
    private static final Pattern LOG = Pattern.compile("\"(\\w+) (\\S+) HTTP/[\\d.]+\" (\\d+) \\d+ upstream=(.*?) upstream_status=");

    @TempDir
    Path dir;

    @Test
    @Timeout(150)
    void servesTheClusterAndSurvivesAKilledAgent() throws IOException {
        Path nginx = ProxyBinaries.nginx();
        Path run = dir.resolve("nginx");
        Files.createDirectories(run);
        // nginx runs as root here and its workers as nobody: let them reach the run directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (AgentCluster c = AgentCluster.start(Files.createDirectories(dir.resolve("cluster")), 3)) {
            int port = AgentLauncher.freePort();
            ExportSpec spec = ExportSpec.of(Backends.parse(List.of(c.url(0), c.url(1), c.url(2))),
                    Strategy.ROUND_ROBIN, port);
            Path conf = run.resolve("nginx.conf");
            Files.writeString(conf, NginxConfig.render(spec, run, java.time.Instant.now()));
            List<String> cmd = List.of(nginx.toString(), "-c", conf.toString(), "-p", run.toString(),
                    "-e", run.resolve("error.log").toString(), "-g", "daemon off;");
            try (ProxyProcess proxy = ProxyProcess.start(port, run.resolve("nginx.out"), cmd);
                    QuorumClient via = proxy.client()) {
                proxy.awaitServing();
                for (int i = 0; i < KEYS; i++) {
                    QuorumClient.Reply put = via.put("k" + i, "value-" + i);
                    assertThat(put.status()).as("PUT k%d: %s", i, put.text()).isBetween(200, 299);
                }
                for (int i = 0; i < KEYS; i++) {
                    QuorumClient.Reply get = via.get("k" + i);
                    assertThat(get.status()).as("GET k%d: %s", i, get.text()).isEqualTo(200);
                    assertThat(get.text()).isEqualTo("value-" + i);
                }
                assertThat(upstreams(run, "GET")).as("nodes that answered GETs").containsExactlyInAnyOrder(
                        address(c, 0), address(c, 1), address(c, 2));

                c.kill9(1);
                for (int i = 0; i < KEYS; i++) {
                    QuorumClient.Reply get = via.get("k" + i);
                    assertThat(get.status()).as("GET k%d after n2 died: %s\n%s", i, get.text(), c.diagnostics())
                            .isEqualTo(200);
                    assertThat(get.text()).isEqualTo("value-" + i);
                }
                // Writes after the kill: some may fail (502) on the dead node, but none is replayed elsewhere.
                for (int i = 0; i < KEYS; i++) {
                    int status = via.put("after" + i, "v").status();
                    assertThat(status).isIn(200, 201, 204, 502);
                }
                List<String[]> log = accessLog(run);
                assertThat(log).as("a read went to the dead node and was retried on the next")
                        .anyMatch(l -> l[0].equals("GET") && l[3].startsWith(address(c, 1) + ", "));
                assertThat(log).as("no write tried two nodes").noneMatch(l -> l[0].equals("PUT") && l[3].contains(","));
            }
        }
    }

    private static String address(AgentCluster c, int i) {
        return c.url(i).substring("http://".length());
    }

    /** Each access-log line as {method, uri, status, upstream addresses}. */
    private static List<String[]> accessLog(Path run) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("access.log"))) {
            Matcher m = LOG.matcher(line);
            if (m.find()) {
                out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
            }
        }
        return out;
    }

    private static Set<String> upstreams(Path run, String method) throws IOException {
        Set<String> s = new HashSet<>();
        for (String[] l : accessLog(run)) {
            if (l[0].equals(method) && l[1].startsWith("/kv/")) {
                s.add(l[3]);
            }
        }
        return s;
    }
}
