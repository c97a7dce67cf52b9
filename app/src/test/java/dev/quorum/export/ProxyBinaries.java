package dev.quorum.export;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds nginx and haproxy (or skips the test, saying which Debian package to install) and runs them briefly. */
final class ProxyBinaries {
    private ProxyBinaries() {}

    record Result(int exit, String output) {}

    static Path nginx() {
        return find("nginx", "nginx");
    }

    static Path haproxy() {
        return find("haproxy", "haproxy");
    }

    private static Path find(String name, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        assumeTrue(false, name + " is not installed: install Debian's package '" + debianPackage + "' (apt-get install "
                + debianPackage + "; .ci/run does it on CI)");
        throw new AssertionError("unreachable");
    }

    /** Runs a short command (a config check) to its end, at most {@code timeout}; output and error merged. */
    static Result run(Duration timeout, Path outputFile, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile());
            Process p = pb.start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return new Result(p.exitValue(), Files.readString(outputFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
