package dev.quorum.agent;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Builds the command line that starts an agent as a child process on the same JDK and classpath as
 * the current process (never on whichever {@code java} is first on the PATH). Used by
 * {@code local-cluster}, by the tests, and by the console.
 */
public final class AgentLauncher {
    /**
     * JVM flags for an agent. A small serial-GC heap keeps an agent near 100 MB RSS under load on a
     * 2-core machine (see docs/benchmarks.md); native access is for sqlite-jdbc on JDK 24+.
     */
    public static final List<String> DEFAULT_JVM_FLAGS = List.of(
            "-Xms32m", "-Xmx160m", "-XX:+UseSerialGC", "-Xss512k", "-XX:MaxDirectMemorySize=64m",
            "--enable-native-access=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=false");

    /** One node to start. */
    public record Node(String id, int port, Path dataDir) {}

    private AgentLauncher() {}

    /** The {@code java} executable of the running JVM. */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public static String classpath() {
        return System.getProperty("java.class.path");
    }

    /** {@code n1=127.0.0.1:7101,n2=…} for the given nodes on {@code host}. */
    public static String peersSpec(List<Node> nodes, String host) {
        StringJoiner j = new StringJoiner(",");
        for (Node n : nodes) {
            j.add(n.id() + "=" + host + ":" + n.port());
        }
        return j.toString();
    }

    /**
     * The full command for one agent.
     *
     * @param extraArgs more agent flags (e.g. {@code --n 3 --r 2}); appended last
     */
    public static List<String> agentCommand(Node node, String peers, Path tokenFile, long parentPid,
            List<String> jvmFlags, List<String> extraArgs) {
        List<String> cmd = jvm(jvmFlags, "agent");
        cmd.add("--id");
        cmd.add(node.id());
        cmd.add("--port");
        cmd.add(Integer.toString(node.port()));
        cmd.add("--data-dir");
        cmd.add(node.dataDir().toString());
        cmd.add("--peers");
        cmd.add(peers);
        return withCommon(cmd, tokenFile, parentPid, extraArgs);
    }

    /**
     * A process builder for an agent command with the environment agents run best in:
     * {@code MALLOC_ARENA_MAX=2} (glibc otherwise keeps an arena per busy thread; measured ~17 MB
     * less RSS per agent under load).
     */
    /** The command line of a balancer in front of {@code backends} ({@code id=host:port,…}). */
    public static List<String> balancerCommand(int port, String backends, Path tokenFile, Path dataDir,
            long parentPid, List<String> jvmFlags, List<String> extraArgs) {
        List<String> cmd = jvm(jvmFlags, "balancer");
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.add("--backends");
        cmd.add(backends);
        cmd.add("--data-dir");
        cmd.add(dataDir.toString());
        return withCommon(cmd, tokenFile, parentPid, extraArgs);
    }

    /** {@code java <flags> -cp <this classpath> AgentMain <subcommand>}: a child on this JVM's own java. */
    private static List<String> jvm(List<String> jvmFlags, String subcommand) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(AgentMain.class.getName());
        cmd.add(subcommand);
        return cmd;
    }

    private static List<String> withCommon(List<String> cmd, Path tokenFile, long parentPid, List<String> extraArgs) {
        if (tokenFile != null) {
            cmd.add("--token-file");
            cmd.add(tokenFile.toString());
        }
        if (parentPid > 0) {
            cmd.add("--parent-pid");
            cmd.add(Long.toString(parentPid));
        }
        cmd.addAll(extraArgs);
        return cmd;
    }

    public static ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        return pb;
    }

    /** A port that was free a moment ago on the loopback interface. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }

    /** Whether a port can be bound on loopback right now. */
    public static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
