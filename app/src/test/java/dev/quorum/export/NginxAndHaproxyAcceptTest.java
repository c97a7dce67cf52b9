package dev.quorum.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real binaries accept every generated file: {@code nginx -t} and {@code haproxy -c}, for every
 * strategy, with weights, drain and (where the proxy allows it) backup nodes. Skipped, saying which
 * package to install, where a binary is missing.
 */
class NginxAndHaproxyAcceptTest {
    private static final Duration CHECK_TIME = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Strategy.class)
    @Timeout(60)
    void nginxAccepts(Strategy s) throws IOException {
        Path nginx = ProxyBinaries.nginx();
        for (ExportSpec spec : new ExportSpec[] {Specs.plain(s), Specs.everyFlag(s, Specs.nginxAllowsBackup(s))}) {
            Path run = Files.createTempDirectory(dir, s.label());
            Path conf = run.resolve("nginx.conf");
            Files.writeString(conf, NginxConfig.render(spec, run, Specs.AT));
            ProxyBinaries.Result r = ProxyBinaries.run(CHECK_TIME, run.resolve("check.out"), nginx.toString(), "-t",
                    "-c", conf.toString(), "-p", run.toString(), "-e", run.resolve("error.log").toString());
            assertThat(r.exit()).as("nginx -t on\n%s\nsaid\n%s", Files.readString(conf), r.output()).isZero();
            assertThat(r.output()).contains("test is successful");
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    @Timeout(60)
    void haproxyAccepts(Strategy s) throws IOException {
        Path haproxy = ProxyBinaries.haproxy();
        for (ExportSpec spec : new ExportSpec[] {Specs.plain(s), Specs.everyFlag(s, true)}) {
            Path cfg = Files.createTempFile(dir, s.label(), ".cfg");
            Files.writeString(cfg, HaproxyConfig.render(spec, Specs.AT));
            ProxyBinaries.Result r = ProxyBinaries.run(CHECK_TIME, dir.resolve(s.label() + ".out"), haproxy.toString(),
                    "-c", "-f", cfg.toString());
            assertThat(r.exit()).as("haproxy -c on\n%s\nsaid\n%s", Files.readString(cfg), r.output()).isZero();
            assertThat(r.output()).contains("Configuration file is valid").doesNotContainIgnoringCase("warning");
        }
    }
}
