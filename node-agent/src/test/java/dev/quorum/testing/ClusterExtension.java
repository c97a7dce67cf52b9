package dev.quorum.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit extension owning an {@link AgentCluster} per test: started before each test, ended after it
 * (every process, by PID), and its agents' output and logs printed when the test fails.
 *
 * <pre>{@code @RegisterExtension final ClusterExtension cluster = ClusterExtension.of(3, "--hint-interval-ms", "200");}</pre>
 */
public final class ClusterExtension implements BeforeEachCallback, AfterEachCallback, TestWatcher {
    private final int size;
    private final String[] args;
    private AgentCluster cluster;
    private Path dir;

    private ClusterExtension(int size, String[] args) {
        this.size = size;
        this.args = args;
    }

    public static ClusterExtension of(int size, String... agentArgs) {
        return new ClusterExtension(size, agentArgs);
    }

    public AgentCluster get() {
        return cluster;
    }

    @Override
    public void beforeEach(ExtensionContext ctx) throws Exception {
        dir = Files.createTempDirectory("quorum-test-");
        cluster = AgentCluster.start(dir, size, args);
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        if (ctx.getExecutionException().isPresent() && cluster != null) {
            System.err.println("---- agents of failed test " + ctx.getDisplayName() + " (" + dir + ")\n"
                    + cluster.diagnostics());
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
