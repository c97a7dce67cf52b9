package dev.quorum.export;

import static org.awaitility.Awaitility.await;

import dev.quorum.client.QuorumClient;
import dev.quorum.testing.AgentCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A proxy (nginx or haproxy) run in the foreground as this test's child. Owns it: {@link #close()}
 * sends SIGTERM, waits, then kills it and every process it started (nginx's workers) by PID.
 */
final class ProxyProcess implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final int port;

    private ProxyProcess(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    static ProxyProcess start(int port, Path output, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new ProxyProcess(p, output, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A client talking to the cluster through the proxy. */
    QuorumClient client() {
        return new QuorumClient(url(), AgentCluster.TOKEN, Duration.ofSeconds(15));
    }

    /** Waits (at most 20 s) until the proxy answers {@code GET /health} with 200 from some node. */
    void awaitServing() {
        try (QuorumClient c = new QuorumClient(url(), AgentCluster.TOKEN, Duration.ofSeconds(2))) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("the proxy exited with " + process.exitValue() + ": " + output());
                        }
                        return c.health().status() == 200;
                    });
        }
    }

    String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "(no output)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                if (child.isAlive()) {
                    child.destroyForcibly();
                    child.onExit().get(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("a proxy process survived close(): " + e, e);
        }
        if (process.isAlive() || children.stream().anyMatch(ProcessHandle::isAlive)) {
            throw new IllegalStateException("a proxy process survived close()");
        }
    }
}
