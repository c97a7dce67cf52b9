package dev.quorum.cli;

import dev.quorum.export.Backend;
import dev.quorum.export.Backends;
import dev.quorum.export.ExportSpec;
import dev.quorum.export.HaproxyConfig;
import dev.quorum.export.NginxConfig;
import dev.quorum.export.Strategy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quorum export TARGET}: write the cluster's balancing as another tool's configuration. One
 * subcommand per target ({@code nginx}, {@code haproxy}; {@code prometheus} and {@code grafana} join
 * here later as further entries in {@code subcommands}).
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Export the cluster to another tool's configuration file (docs/balancing.md).",
        subcommands = {ExportCli.Nginx.class, ExportCli.Haproxy.class})
public final class ExportCli implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_WRITE_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("quorum export: say what to export: " + String.join(" or ", spec.subcommands().keySet()));
        spec.commandLine().usage(err);
        return EXIT_USAGE;
    }

    /** The options every proxy target shares (a contract: names as in docs/balancing.md). */
    static final class ProxyOptions {
        @Option(names = "--nodes", required = true, split = ",", paramLabel = "URL",
                description = "Agent URLs, comma-separated, each URL or id=URL (ids default to n1, n2, ... in"
                        + " the order given).")
        List<String> nodes;

        @Option(names = "--strategy", defaultValue = "round-robin", paramLabel = "STRATEGY",
                description = "round-robin, weighted-round-robin, least-connections, power-of-two-choices,"
                        + " least-time or consistent-hash. Default: ${DEFAULT-VALUE}.")
        String strategy;

        @Option(names = "--listen", defaultValue = "7100", paramLabel = "PORT",
                description = "Port the proxy listens on, on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
        int listen;

        @Option(names = "--weights", split = ",", paramLabel = "ID=W",
                description = "Weights 1..256, e.g. n1=2,n2=1 (default 1 each).")
        List<String> weights = List.of();

        @Option(names = "--backup", split = ",", paramLabel = "ID",
                description = "Nodes that take traffic only when all others are down.")
        List<String> backup = List.of();

        @Option(names = "--drain", split = ",", paramLabel = "ID",
                description = "Nodes out of rotation (nginx down, HAProxy disabled).")
        List<String> drain = List.of();

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write.")
        Path out;

        ExportSpec toSpec() {
            List<Backend> backends = Backends.apply(Backends.parse(nodes), Backends.parseWeights(weights), backup,
                    drain);
            return ExportSpec.of(backends, Strategy.parse(strategy), listen);
        }
    }

    /** What one target does with the validated spec: the file's text. */
    interface Renderer {
        String render(ExportSpec spec, Instant now) throws IOException;
    }

    /** Validates, renders, writes atomically, prints one line; the exit status. */
    static int export(CommandSpec cmd, String target, ProxyOptions o, Renderer renderer) {
        PrintWriter out = cmd.commandLine().getOut();
        PrintWriter err = cmd.commandLine().getErr();
        ExportSpec spec;
        String text;
        try {
            spec = o.toSpec();
            text = renderer.render(spec, Instant.now());
        } catch (IllegalArgumentException e) {
            err.println("quorum export " + target + ": " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("quorum export " + target + ": " + e);
            err.flush();
            return EXIT_WRITE_FAILED;
        }
        Path file = o.out.toAbsolutePath().normalize();
        try {
            write(file, text);
        } catch (IOException e) {
            err.println("quorum export " + target + ": could not write " + file + ": " + e);
            err.flush();
            return EXIT_WRITE_FAILED;
        }
        out.println("wrote " + file + ": " + target + " on 127.0.0.1:" + spec.listenPort() + " for "
                + String.join(", ", spec.ids()) + " (" + spec.strategy().label() + ")");
        out.flush();
        return EXIT_OK;
    }

    private static void write(Path file, String text) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            // createTempFile makes it private (0600); a configuration file is ordinarily world-readable.
            if (Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Command(
            name = "nginx",
            mixinStandardHelpOptions = true,
            description = {
                "Write a complete nginx configuration balancing 127.0.0.1:PORT over the nodes.",
                "Run it with: nginx -p RUNDIR -e RUNDIR/error.log -c FILE"
            },
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:written", "1:the file could not be written", "2:bad options"})
    static final class Nginx implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyOptions options;

        @Option(names = "--run-dir", paramLabel = "DIR",
                description = "Where nginx keeps its pid, logs and temporary files (created if missing;"
                        + " default: the directory of --out).")
        Path runDir;

        @Override
        public Integer call() {
            return export(spec, "nginx", options, (s, now) -> {
                Path dir = (runDir != null ? runDir : options.out.toAbsolutePath().getParent())
                        .toAbsolutePath().normalize();
                String text = NginxConfig.render(s, dir, now);
                Files.createDirectories(dir);
                return text;
            });
        }
    }

    @Command(
            name = "haproxy",
            mixinStandardHelpOptions = true,
            description = {
                "Write a complete HAProxy configuration balancing 127.0.0.1:PORT over the nodes.",
                "Run it with: haproxy -f FILE -db"
            },
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:written", "1:the file could not be written", "2:bad options"})
    static final class Haproxy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ProxyOptions options;

        @Override
        public Integer call() {
            return export(spec, "haproxy", options, HaproxyConfig::render);
        }
    }
}
