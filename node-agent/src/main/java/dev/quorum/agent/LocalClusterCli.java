package dev.quorum.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code local-cluster}: starts N agents on this machine as child processes, waits until every one
 * is healthy, prints how to reach them, and stops them all on Ctrl-C. The agents also stop by
 * themselves if this process is killed ({@code --parent-pid}).
 */
@Command(name = "local-cluster", mixinStandardHelpOptions = true,
        description = "Start a local cluster of agents from the terminal; Ctrl-C stops it.")
final class LocalClusterCli implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "Number of agents (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--base-port", defaultValue = "7101",
            description = "Port of the first agent; the others follow (default ${DEFAULT-VALUE}). "
                    + "Free ports are picked instead if these are taken.")
    int basePort;

    @Option(names = "--name", defaultValue = "local", description = "Cluster name (directory under the data home).")
    String name;

    @Option(names = "--dir", description = "Cluster directory (default $XDG_DATA_HOME/quorum/clusters/<name>).")
    Path dir;

    @Option(names = "--n", description = "Replicas per key.")
    Integer n;

    @Option(names = "--r", description = "Read quorum.")
    Integer r;

    @Option(names = "--w", description = "Write quorum.")
    Integer w;

    @Option(names = "--consistency", description = "Consistency model: strong (default), eventual or causal.")
    String consistency;

    @Option(names = "--balancer-port", defaultValue = "7100",
            description = "Port of the balancer in front of the agents (default ${DEFAULT-VALUE}; a free one if taken).")
    int balancerPort;

    @Option(names = "--strategy", defaultValue = "round-robin", description = "The balancer's strategy (default ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--no-balancer", description = "Start the agents only.")
    boolean noBalancer;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 16) {
            System.err.println("--nodes must be between 1 and 16");
            return AgentMain.EXIT_USAGE;
        }
        Path clusterDir = dir != null ? dir : dataHome().resolve("quorum").resolve("clusters").resolve(name);
        Files.createDirectories(clusterDir);
        Path tokenFile = clusterDir.resolve("token");
        String token = ensureToken(tokenFile);

        List<AgentLauncher.Node> members = new ArrayList<>();
        boolean defaultsFree = true;
        for (int i = 0; i < nodes; i++) {
            defaultsFree &= AgentLauncher.portFree(basePort + i);
        }
        for (int i = 0; i < nodes; i++) {
            int port = defaultsFree ? basePort + i : AgentLauncher.freePort();
            members.add(new AgentLauncher.Node("n" + (i + 1), port, clusterDir.resolve("n" + (i + 1))));
        }
        if (!defaultsFree) {
            System.out.println("ports " + basePort + "-" + (basePort + nodes - 1) + " are taken; using free ports instead");
        }
        String peers = AgentLauncher.peersSpec(members, "127.0.0.1");
        List<String> extra = new ArrayList<>();
        if (n != null) {
            extra.addAll(List.of("--n", n.toString()));
        }
        if (r != null) {
            extra.addAll(List.of("--r", r.toString()));
        }
        if (w != null) {
            extra.addAll(List.of("--w", w.toString()));
        }
        if (consistency != null) {
            extra.addAll(List.of("--consistency", consistency));
        }
        List<Process> processes = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        Lifecycle.onTerminate(stop::countDown);
        // Started through `mvn exec:exec`, the parent is Maven: when it goes, so does the cluster.
        ProcessHandle.current().parent().ifPresent(parent -> Lifecycle.exitWithParent(parent.pid(), stop::countDown));
        try {
            for (AgentLauncher.Node node : members) {
                Files.createDirectories(node.dataDir());
                ProcessBuilder pb = AgentLauncher.processBuilder(AgentLauncher.agentCommand(node, peers, tokenFile,
                        ProcessHandle.current().pid(), AgentLauncher.DEFAULT_JVM_FLAGS, extra));
                pb.redirectErrorStream(true);
                pb.redirectOutput(node.dataDir().resolve("stdout.log").toFile());
                processes.add(pb.start());
            }
            for (int i = 0; i < members.size(); i++) {
                if (!awaitHealthy(members.get(i).port(), processes.get(i))) {
                    System.err.println("agent " + members.get(i).id() + " did not become healthy; its output:");
                    System.err.println(Files.readString(members.get(i).dataDir().resolve("stdout.log")));
                    return 1;
                }
            }
            AgentLauncher.Node first = members.get(0);
            int lbPort = 0;
            if (!noBalancer) {
                lbPort = AgentLauncher.portFree(balancerPort) ? balancerPort : AgentLauncher.freePort();
                Path lbDir = clusterDir.resolve("balancer");
                Files.createDirectories(lbDir);
                ProcessBuilder pb = AgentLauncher.processBuilder(AgentLauncher.balancerCommand(lbPort, peers, tokenFile,
                        lbDir, ProcessHandle.current().pid(), AgentLauncher.DEFAULT_JVM_FLAGS,
                        List.of("--strategy", strategy)));
                pb.redirectErrorStream(true);
                pb.redirectOutput(lbDir.resolve("stdout.log").toFile());
                Process lb = pb.start();
                processes.add(0, lb); // stopped first
                if (!awaitHealthy(lbPort, lb)) {
                    System.err.println("the balancer did not become healthy; its output:");
                    System.err.println(Files.readString(lbDir.resolve("stdout.log")));
                    return 1;
                }
            }
            System.out.println("Quorum local cluster '" + name + "' is up: " + nodes + " agents"
                    + (noBalancer ? "" : " behind a balancer"));
            if (!noBalancer) {
                System.out.printf("  lb  http://127.0.0.1:%d  pid %d  strategy %s%n", lbPort, processes.get(0).pid(),
                        strategy);
            }
            int offset = noBalancer ? 0 : 1;
            for (int i = 0; i < members.size(); i++) {
                AgentLauncher.Node m = members.get(i);
                System.out.printf("  %s  http://127.0.0.1:%d  pid %d  data %s%n", m.id(), m.port(),
                        processes.get(i + offset).pid(), m.dataDir());
            }
            System.out.println("Token (for /admin and /internal): " + tokenFile);
            System.out.println("Try:");
            int front = noBalancer ? first.port() : lbPort;
            System.out.printf("  curl -X PUT --data-binary hello http://127.0.0.1:%d/kv/greeting%n", front);
            System.out.printf("  curl http://127.0.0.1:%d/kv/greeting%n", front);
            System.out.printf("  curl -H \"Authorization: Bearer $(cat %s)\" http://127.0.0.1:%d/admin/status%n",
                    tokenFile, first.port());
            System.out.println("Press Ctrl-C to stop the cluster.");
            stop.await();
            return 0;
        } finally {
            System.out.println("stopping " + processes.size() + " processes…");
            for (Process p : processes) {
                p.destroy(); // SIGTERM: each agent finishes in-flight requests and closes its store
            }
            for (Process p : processes) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            System.out.println("stopped; data kept in " + clusterDir + " (token: " + (token.isEmpty() ? "-" : "kept") + ")");
        }
    }

    static Path dataHome() {
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg);
        }
        return Path.of(System.getProperty("user.home"), ".local", "share");
    }

    private static String ensureToken(Path tokenFile) throws IOException {
        if (Files.exists(tokenFile)) {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return token;
    }

    private static boolean awaitHealthy(int port, Process p) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // polling a child process's port: there is no event to wait on
        }
        return false;
    }
}
