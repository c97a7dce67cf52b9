package dev.quorum.testing;

import static org.awaitility.Awaitility.await;

import dev.quorum.agent.AgentLauncher;
import dev.quorum.client.QuorumClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real agent processes on loopback ports, started exactly as the console starts them
 * ({@link AgentLauncher}), each with its own data directory under a temporary cluster directory.
 * Owns every process it starts and ends them by PID in {@link #close()}, whatever happened.
 */
public final class AgentCluster implements AutoCloseable {
    public static final String TOKEN = "test-token-0123456789";

    private final Path dir;
    private final List<AgentLauncher.Node> nodes = new ArrayList<>();
    private final Process[] processes;
    private final List<String> extraArgs;
    private final Path tokenFile;
    private final List<QuorumClient> clients = new ArrayList<>();

    private AgentCluster(Path dir, int size, List<String> extraArgs) throws IOException {
        this.dir = dir;
        this.extraArgs = extraArgs;
        this.processes = new Process[size];
        this.tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        for (int i = 0; i < size; i++) {
            nodes.add(new AgentLauncher.Node("n" + (i + 1), AgentLauncher.freePort(), dir.resolve("n" + (i + 1))));
        }
    }

    /**
     * Starts {@code size} agents and waits until all are healthy.
     *
     * @param extraArgs agent flags for every node, e.g. {@code "--anti-entropy-interval-ms", "500"}
     */
    public static AgentCluster start(Path dir, int size, String... extraArgs) {
        AgentCluster c;
        try {
            c = new AgentCluster(dir, size, List.of(extraArgs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (int i = 0; i < size; i++) {
                c.launch(i);
            }
            for (int i = 0; i < size; i++) {
                c.awaitHealthy(i);
            }
            c.awaitPeersUp();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public int size() {
        return nodes.size();
    }

    public String id(int i) {
        return nodes.get(i).id();
    }

    public String url(int i) {
        return "http://127.0.0.1:" + nodes.get(i).port();
    }

    public Path dataDir(int i) {
        return nodes.get(i).dataDir();
    }

    public Path dir() {
        return dir;
    }

    public long pid(int i) {
        return processes[i].pid();
    }

    public Process process(int i) {
        return processes[i];
    }

    /** A client of node {@code i} holding the cluster token. */
    public QuorumClient client(int i) {
        QuorumClient c = new QuorumClient(url(i), TOKEN, Duration.ofSeconds(15));
        clients.add(c);
        return c;
    }

    /** The command line node {@code i} is started with. */
    public List<String> command(int i) {
        return AgentLauncher.agentCommand(nodes.get(i), AgentLauncher.peersSpec(nodes, "127.0.0.1"), tokenFile,
                ProcessHandle.current().pid(), jvmFlags(), extraArgs);
    }

    private static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(AgentLauncher.DEFAULT_JVM_FLAGS);
        // Tests start many JVMs on 2 cores: interpreted start-up matters more than peak speed.
        flags.add("-XX:TieredStopAtLevel=1");
        return flags;
    }

    /** Starts (or restarts) node {@code i} with its existing data directory. */
    public void launch(int i) {
        try {
            Files.createDirectories(nodes.get(i).dataDir());
            ProcessBuilder pb = AgentLauncher.processBuilder(command(i));
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stdout(i).toFile()));
            processes[i] = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path stdout(int i) {
        return dir.resolve(nodes.get(i).id() + ".stdout");
    }

    public Path logFile(int i) {
        return nodes.get(i).dataDir().resolve("agent.log");
    }

    public void awaitHealthy(int i) {
        try (QuorumClient c = new QuorumClient(url(i), TOKEN, Duration.ofSeconds(1))) {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> {
                        if (!processes[i].isAlive()) {
                            throw new AssertionError(id(i) + " exited with " + processes[i].exitValue() + ": "
                                    + Files.readString(stdout(i)));
                        }
                        return c.health().status() == 200;
                    });
        }
    }

    /** Waits until every live node sees every other live node as up. */
    public void awaitPeersUp() {
        for (int i = 0; i < size(); i++) {
            if (processes[i] == null || !processes[i].isAlive()) {
                continue;
            }
            int node = i;
            try (QuorumClient c = new QuorumClient(url(i), TOKEN, Duration.ofSeconds(2))) {
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                    var peers = c.status().json().get("peers");
                    for (var p : peers) {
                        int j = nodes.indexOf(nodes.stream().filter(n -> n.id().equals(p.get("id").asText()))
                                .findFirst().orElseThrow());
                        boolean alive = processes[j] != null && processes[j].isAlive();
                        if (alive && !p.get("up").asBoolean()) {
                            return false;
                        }
                    }
                    return node >= 0;
                });
            }
        }
    }

    /** {@code kill -9}: no shutdown code runs. */
    public void kill9(int i) {
        processes[i].destroyForcibly();
        try {
            processes[i].waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then waits for the exit; returns the exit code. */
    public int stop(int i) {
        processes[i].destroy();
        try {
            if (!processes[i].waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError(id(i) + " did not exit within 20 s of SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return processes[i].exitValue();
    }

    /** Starts a stopped node again and waits until it and its peers see each other. */
    public void restart(int i) {
        launch(i);
        awaitHealthy(i);
        awaitPeersUp();
    }

    /** Deletes node {@code i}'s data directory (the node must be stopped). */
    public void wipe(int i) {
        try (Stream<Path> walk = Files.walk(dataDir(i))) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void signal(int i, String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(i))).start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Output and the tail of each node's log, for a failing test's report. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size(); i++) {
            sb.append("==== ").append(id(i)).append(" (").append(url(i)).append(", ")
                    .append(processes[i] == null ? "never started" : processes[i].isAlive() ? "alive" : "exited")
                    .append(")\n");
            sb.append(tail(stdout(i), 40)).append("---- agent.log (tail)\n").append(tail(logFile(i), 60));
        }
        return sb.toString();
    }

    private static String tail(Path p, int lines) {
        try {
            if (!Files.exists(p)) {
                return "(none)\n";
            }
            List<String> all = Files.readAllLines(p, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(unreadable: " + e + ")\n";
        }
    }

    // ------------------------------------------------------------------ balancer

    private Process balancer;
    private int balancerPort;

    /**
     * Starts a balancer process in front of every node ({@code balancer --backends n1=…}) and waits
     * until it answers {@code /health} 200.
     *
     * @param extraArgs balancer flags, e.g. {@code "--strategy", "least-connections"}
     * @return its base URL
     */
    public String startBalancer(String... extraArgs) {
        if (balancer != null && balancer.isAlive()) {
            throw new IllegalStateException("a balancer is already running");
        }
        balancerPort = AgentLauncher.freePort();
        List<String> cmd = AgentLauncher.balancerCommand(balancerPort, AgentLauncher.peersSpec(nodes, "127.0.0.1"),
                tokenFile, dir.resolve("lb"), ProcessHandle.current().pid(), jvmFlags(), List.of(extraArgs));
        try {
            ProcessBuilder pb = AgentLauncher.processBuilder(cmd);
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("lb.stdout").toFile()));
            balancer = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (QuorumClient c = new QuorumClient(balancerUrl(), TOKEN, Duration.ofSeconds(1))) {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        if (!balancer.isAlive()) {
                            throw new AssertionError("the balancer exited with " + balancer.exitValue() + ": "
                                    + Files.readString(dir.resolve("lb.stdout")));
                        }
                        return c.health().status() == 200;
                    });
        }
        return balancerUrl();
    }

    public String balancerUrl() {
        return "http://127.0.0.1:" + balancerPort;
    }

    public Process balancerProcess() {
        return balancer;
    }

    /** A client of the balancer holding the cluster token (for its /admin endpoints). */
    public QuorumClient balancerClient() {
        QuorumClient c = new QuorumClient(balancerUrl(), TOKEN, Duration.ofSeconds(15));
        clients.add(c);
        return c;
    }

    public Path balancerLog() {
        return dir.resolve("lb").resolve("balancer.log");
    }

    /** Ends every process this cluster started (SIGKILL after a short grace) and closes clients. */
    @Override
    public void close() {
        clients.forEach(QuorumClient::close);
        if (balancer != null) {
            balancer.destroy();
            try {
                if (!balancer.waitFor(10, TimeUnit.SECONDS)) {
                    balancer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                balancer.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : processes) {
            if (p == null) {
                continue;
            }
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (Arrays.stream(processes).anyMatch(p -> p != null && p.isAlive())) {
            throw new IllegalStateException("an agent process survived close()");
        }
    }
}
