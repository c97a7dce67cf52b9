package dev.quorum.agent;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.store.StoreException;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code quorum-agent.jar}: {@code agent} runs one node, {@code local-cluster} starts
 * a few on this machine from the terminal. Flag names are a contract (docs/api.md).
 */
@Command(
        name = "quorum-agent",
        mixinStandardHelpOptions = true,
        versionProvider = AgentMain.JarVersion.class,
        description = "Quorum node agent: a replicated key-value store node.",
        subcommands = {AgentMain.AgentCommand.class, LocalClusterCli.class, BalancerCli.class})
public final class AgentMain implements Runnable {

    /** Exit codes: 0 clean stop, 2 bad flags or settings, 3 storage refused to open, 4 port unavailable. */
    static final int EXIT_USAGE = 2;
    static final int EXIT_STORE = 3;
    static final int EXIT_PORT = 4;

    public static void main(String[] args) {
        int code = new CommandLine(new AgentMain()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The version from the jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
    static final class JarVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentMain.class.getPackage().getImplementationVersion();
            return new String[] {"quorum-agent " + (v == null ? "dev" : v)};
        }
    }

    /**
     * The token in {@code --token-file} (whitespace around it stripped), or null without the flag.
     *
     * @throws IllegalArgumentException with the message to print when it is unreadable or empty
     */
    static String readToken(Path tokenFile) {
        if (tokenFile == null) {
            return null;
        }
        String token;
        try {
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --token-file " + tokenFile + ": " + e.getMessage());
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("--token-file " + tokenFile + " is empty");
        }
        return token;
    }

    private static String rangeProblem(String flag, long value, long min, long max) {
        return value < min || value > max
                ? "quorum-agent: " + flag + " must be between " + min + " and " + max + ", got " + value + "\n"
                : "";
    }

    @Command(name = "agent", mixinStandardHelpOptions = true, description = "Run one agent (node) of a cluster.")
    static final class AgentCommand implements Callable<Integer> {
        @Option(names = "--id", required = true, description = "This node's id; must appear in --peers.")
        String id;

        @Option(names = "--port", required = true, description = "Port of the HTTP API (0 = any free port).")
        int port;

        @Option(names = "--data-dir", required = true, description = "Directory for the SQLite store and logs.")
        Path dataDir;

        @Option(names = "--peers", required = true,
                description = "Every member, this node included: id=host:port,… (e.g. n1=127.0.0.1:7101,n2=…).")
        String peers;

        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--n", description = "Replicas per key (default: min(3, cluster size)).")
        Integer n;

        @Option(names = "--r", description = "Read quorum (default: majority of N).")
        Integer r;

        @Option(names = "--w", description = "Write quorum (default: majority of N).")
        Integer w;

        @Option(names = "--consistency", description = "Consistency model: strong (default), eventual or causal.")
        String consistency;

        @Option(names = "--token-file", description = "File holding the cluster token required on /admin and /internal.")
        Path tokenFile;

        @Option(names = "--parent-pid", description = "Exit when the process with this pid exits.")
        Long parentPid;

        @Option(names = "--probe-interval-ms", defaultValue = "1000", description = "Failure-detector probe period.")
        long probeIntervalMs;

        @Option(names = "--replica-timeout-ms", defaultValue = "" + ClusterConfig.DEFAULT_REPLICA_TIMEOUT_MS,
                description = "Time a replica gets to answer one call.")
        long replicaTimeoutMs;

        @Option(names = "--request-timeout-ms", defaultValue = "" + ClusterConfig.DEFAULT_REQUEST_TIMEOUT_MS,
                description = "Time a client request may take in all.")
        long requestTimeoutMs;

        @Option(names = "--hint-interval-ms", defaultValue = "" + ClusterConfig.DEFAULT_HINT_INTERVAL_MS,
                description = "Period of hinted hand-off.")
        long hintIntervalMs;

        @Option(names = "--anti-entropy-interval-ms", defaultValue = "" + ClusterConfig.DEFAULT_ANTI_ENTROPY_INTERVAL_MS,
                description = "Period of anti-entropy rounds.")
        long antiEntropyIntervalMs;

        @Option(names = "--tombstone-grace-ms", defaultValue = "" + ClusterConfig.DEFAULT_TOMBSTONE_GRACE_MS,
                description = "How long deletes are remembered before tombstones are purged.")
        long tombstoneGraceMs;

        @Option(names = "--max-value-bytes", defaultValue = "" + ClusterConfig.DEFAULT_MAX_VALUE_BYTES,
                description = "Largest value accepted (default 1 MiB).")
        int maxValueBytes;

        @Option(names = "--http-threads", defaultValue = "16",
                description = "Request handler threads (they never wait for replicas, so a few serve many clients).")
        int httpThreads;

        @Option(names = "--drain-seconds", defaultValue = "5",
                description = "On SIGTERM, how long requests in progress may take to finish.")
        int drainSeconds;

        @Option(names = "--request-read-timeout-ms", defaultValue = "30000",
                description = "How long a request may take to arrive, from its first byte (then 408).")
        long requestReadTimeoutMs;

        @Option(names = "--topology", description = "leaderless (default) or primary-replica (docs/replicas.md).")
        String topology;

        @Option(names = "--primary", description = "The primary's id in the primary-replica topology (default: the"
                + " first of --peers).")
        String primary;

        @Option(names = "--enable-faults",
                description = "Serve POST /admin/faults (latency, drops, partitions, pause) for testing.")
        boolean enableFaults;

        @Override
        public Integer call() throws Exception {
            String bad = rangeProblem("--http-threads", httpThreads, 1, 1024)
                    + rangeProblem("--probe-interval-ms", probeIntervalMs, 50, 60_000)
                    + rangeProblem("--drain-seconds", drainSeconds, 0, 600)
                    + rangeProblem("--request-read-timeout-ms", requestReadTimeoutMs, 100, 3_600_000)
                    + rangeProblem("--port", port, 0, 65_535);
            if (!bad.isEmpty()) {
                System.err.print(bad);
                return EXIT_USAGE;
            }
            String token;
            try {
                token = readToken(tokenFile);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return EXIT_USAGE;
            }
            Files.createDirectories(dataDir);
            LoggingSetup.configure(dataDir.resolve("agent.log"), id, "agent");
            AgentSettings settings = new AgentSettings(id, bind, port, dataDir, peers, n, r, w, consistency, token,
                    probeIntervalMs, replicaTimeoutMs, requestTimeoutMs, hintIntervalMs, antiEntropyIntervalMs,
                    tombstoneGraceMs, maxValueBytes, httpThreads, drainSeconds, requestReadTimeoutMs,
                    enableFaults, topology, primary);
            Agent agent;
            try {
                agent = Agent.start(settings);
            } catch (IllegalArgumentException e) {
                System.err.println("quorum-agent: " + e.getMessage());
                return EXIT_USAGE;
            } catch (StoreException e) {
                System.err.println("quorum-agent: refusing to start: " + e.getMessage());
                return EXIT_STORE;
            } catch (BindException e) {
                System.err.println("quorum-agent: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
                return EXIT_PORT;
            }
            System.out.println("quorum-agent " + id + " ready on http://" + bind + ":" + agent.port());
            System.out.flush();
            Lifecycle.runUntilStopped(parentPid, agent::close);
            return 0;
        }
    }
}
