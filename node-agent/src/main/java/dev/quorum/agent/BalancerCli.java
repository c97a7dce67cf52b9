package dev.quorum.agent;

import dev.quorum.balancer.Balancer;
import dev.quorum.balancer.BalancerConfig;
import dev.quorum.balancer.Strategy;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorum-agent balancer}: the jar as a load balancer in front of agents (docs/balancing.md). */
@Command(name = "balancer", mixinStandardHelpOptions = true,
        description = "Run a load balancer in front of agents (proxies /kv; health checks; live strategy).")
final class BalancerCli implements Callable<Integer> {
    @Option(names = "--port", required = true, description = "Port to listen on (0 = any free port).")
    int port;

    @Option(names = "--backends", required = true,
            description = "The agents: id=host:port,… with the agents' own ids (consistent hashing uses their ring).")
    String backends;

    @Option(names = "--strategy", defaultValue = "round-robin",
            description = "round-robin, weighted-round-robin, least-connections, power-of-two-choices, least-time or"
                    + " consistent-hash (default ${DEFAULT-VALUE}); switchable live with PUT /admin/config.")
    String strategy;

    @Option(names = "--token-file", description = "File holding the token required on /admin.")
    Path tokenFile;

    @Option(names = "--id", defaultValue = "lb", description = "This balancer's name in logs and metrics (default ${DEFAULT-VALUE}).")
    String id;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--data-dir", description = "Directory for balancer.log (default: <tmp>/quorum-balancer-<id>).")
    Path dataDir;

    @Option(names = "--weights", split = ",", description = "Weights for weighted-round-robin: id=1..256,… (default 1).")
    Map<String, Integer> weights = new LinkedHashMap<>();

    @Option(names = "--backups", split = ",", description = "Backends used only when no other is available.")
    Set<String> backups = new LinkedHashSet<>();

    @Option(names = "--health-interval-ms", defaultValue = "1000", description = "Active health check period.")
    long healthIntervalMs;

    @Option(names = "--health-timeout-ms", defaultValue = "500", description = "Time a health check may take.")
    long healthTimeoutMs;

    @Option(names = "--rise", defaultValue = "2", description = "Good checks in a row to bring a backend up.")
    int rise;

    @Option(names = "--fall", defaultValue = "3", description = "Failed checks in a row to take a backend down.")
    int fall;

    @Option(names = "--eject-after", defaultValue = "5",
            description = "Consecutive failed requests that eject a backend (passive ejection).")
    int ejectAfter;

    @Option(names = "--eject-ms", defaultValue = "10000", description = "How long an ejected backend stays out.")
    long ejectMs;

    @Option(names = "--max-lag-entries", defaultValue = "1000",
            description = "Primary-replica topology: a replica further behind than this leaves the read rotation.")
    long maxLagEntries;

    @Option(names = "--upstream-timeout-ms", defaultValue = "5000", description = "Time a backend gets per request.")
    long upstreamTimeoutMs;

    @Option(names = "--max-value-bytes", defaultValue = "1048576", description = "Largest value proxied (default 1 MiB).")
    long maxValueBytes;

    @Option(names = "--http-threads", defaultValue = "8", description = "Threads for /metrics and admin requests.")
    int httpThreads;

    @Option(names = "--drain-seconds", defaultValue = "5", description = "On SIGTERM, time requests in flight get.")
    int drainSeconds;

    @Option(names = "--parent-pid", description = "Exit when the process with this pid exits.")
    Long parentPid;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            System.err.println("quorum-agent: --port must be between 0 and 65535, got " + port);
            return AgentMain.EXIT_USAGE;
        }
        for (Map.Entry<String, Integer> w : weights.entrySet()) {
            if (w.getValue() == null || w.getValue() < 1 || w.getValue() > 256) {
                System.err.println("quorum-agent: --weights: " + w.getKey() + " must be between 1 and 256");
                return AgentMain.EXIT_USAGE;
            }
        }
        Strategy s;
        try {
            s = Strategy.parse(strategy);
        } catch (IllegalArgumentException e) {
            System.err.println("quorum-agent: --strategy: " + e.getMessage());
            return AgentMain.EXIT_USAGE;
        }
        String token;
        try {
            token = AgentMain.readToken(tokenFile);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return AgentMain.EXIT_USAGE;
        }
        Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("java.io.tmpdir"), "quorum-balancer-" + id);
        Files.createDirectories(dir);
        LoggingSetup.configure(dir.resolve("balancer.log"), id, "balancer");
        BalancerConfig cfg = new BalancerConfig(healthIntervalMs, healthTimeoutMs, rise, fall, ejectAfter, ejectMs,
                upstreamTimeoutMs, true, maxLagEntries);
        Balancer balancer;
        try {
            balancer = Balancer.start(new Balancer.Settings(id, bind, port, backends, weights, backups, s, token, cfg,
                    maxValueBytes, httpThreads, drainSeconds, 30_000));
        } catch (IllegalArgumentException e) {
            System.err.println("quorum-agent: " + e.getMessage());
            return AgentMain.EXIT_USAGE;
        } catch (BindException e) {
            System.err.println("quorum-agent: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return AgentMain.EXIT_PORT;
        }
        System.out.println("quorum balancer " + id + " ready on http://" + bind + ":" + balancer.port());
        System.out.flush();
        Lifecycle.runUntilStopped(parentPid, balancer::close);
        return 0;
    }
}
