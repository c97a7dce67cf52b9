package dev.quorum.cli;

import dev.quorum.check.CausalChecker;
import dev.quorum.check.CausalResult;
import dev.quorum.check.CheckOptions;
import dev.quorum.check.HistoryFormatException;
import dev.quorum.check.StaleReads;
import dev.quorum.check.CheckResult;
import dev.quorum.check.KvRegisterModel;
import dev.quorum.check.LinearizabilityChecker;
import dev.quorum.check.QuorumHistoryWriter;
import dev.quorum.workload.WorkloadResult;
import dev.quorum.workload.WorkloadRunner;
import dev.quorum.workload.WorkloadSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quorum workload}: drive a cluster with a mix of operations, record the history, print
 * throughput and latency, and with {@code --check} the checker's verdict as the last line.
 */
@Command(
        name = "workload",
        mixinStandardHelpOptions = true,
        description = "Run a workload against a cluster and record its history.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the run completed (and, with --check, the history passed the check)",
            "1:--check found anomalies",
            "2:bad options or no cluster to talk to",
            "3:--check could not decide in its time budget"
        })
public final class WorkloadCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", required = true, split = ",", paramLabel = "URL",
            description = "Agent URLs, comma-separated; clients are spread over them.")
    List<String> nodes;

    @Option(names = "--token-file", description = "Cluster token (only needed for admin calls; optional).")
    Path tokenFile;

    @Option(names = "--consistency", description = "strong, eventual or causal per request (default: the cluster's).")
    String consistency;

    @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to run. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--ops", defaultValue = "0", description = "Stop after this many operations (0: no limit).")
    long ops;

    @Option(names = "--keys", defaultValue = "100", description = "Distinct keys. Default: ${DEFAULT-VALUE}.")
    int keys;

    @Option(names = "--read-ratio", defaultValue = "0.5", description = "Share of reads. Default: ${DEFAULT-VALUE}.")
    double readRatio;

    @Option(names = "--delete-ratio", defaultValue = "0", description = "Share of deletes. Default: ${DEFAULT-VALUE}.")
    double deleteRatio;

    @Option(names = "--distribution", defaultValue = "uniform",
            description = "Key choice: uniform or zipfian. Default: ${DEFAULT-VALUE}.")
    WorkloadSpec.KeyDistribution distribution;

    @Option(names = "--value-size", defaultValue = "16", description = "Bytes per value. Default: ${DEFAULT-VALUE}.")
    int valueSize;

    @Option(names = "--rate", defaultValue = "0", description = "Operations per second in all (0: unbounded).")
    double rate;

    @Option(names = "--seed", description = "Random seed (default: random, printed).")
    Long seed;

    @Option(names = "--key-prefix", description = "Key prefix (default: fresh per run, so every key starts absent).")
    String keyPrefix;

    @Option(names = "--timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "Per-request timeout; a write without an answer by then is recorded as unknown.")
    Duration timeout;

    @Option(names = "--history", description = "Write the history here (JSON lines, docs/consistency.md).")
    Path history;

    @Option(names = "--hop", description = "Send each operation to a node chosen at random (default: each client"
            + " stays on one node). In causal mode each client is a session carrying its token from node to node.")
    boolean hop;

    @Option(names = "--check", description = "Check the history at the end (the model: --check-model); the verdict"
            + " is the last line printed.")
    boolean check;

    @Option(names = "--check-model", paramLabel = "MODEL",
            description = "linearizable or causal (default: causal with --consistency causal, else linearizable).")
    String checkModel;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long s = seed != null ? seed : System.nanoTime();
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                err.println("quorum workload: cannot read --token-file " + tokenFile + ": " + e.getMessage());
                return 2;
            }
        }
        String prefix = keyPrefix != null ? keyPrefix : String.format("wl-%x-%x/", s & 0xffffff, System.currentTimeMillis());
        WorkloadSpec ws = new WorkloadSpec(nodes, token, consistency, clients, duration, ops, keys, readRatio,
                deleteRatio, distribution, valueSize, rate, s, timeout, prefix, hop);
        List<String> problems = new java.util.ArrayList<>(ws.problems());
        if (checkModel != null && !List.of("linearizable", "causal").contains(checkModel)) {
            problems.add("--check-model must be linearizable or causal");
        }
        if (!problems.isEmpty()) {
            err.println("quorum workload: " + String.join("; ", problems));
            return 2;
        }
        out.printf("workload: %d clients, %s, %d keys (%s), read %.2f delete %.2f, seed %d, key prefix %s%n", clients,
                ops > 0 ? ops + " ops or " + duration : duration.toString(), keys, distribution.name().toLowerCase(),
                readRatio, deleteRatio, s, prefix);
        out.flush();
        WorkloadRunner runner = new WorkloadRunner(ws);
        WorkloadResult result;
        Writer file = history == null ? null : Files.newBufferedWriter(history, StandardCharsets.UTF_8);
        try (QuorumHistoryWriter writer = file == null ? null : new QuorumHistoryWriter(file)) {
            result = runner.run(op -> {
                if (writer != null) {
                    try {
                        writer.write(op);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        }
        print(out, result);
        if (result.counts().values().stream().mapToLong(m -> m.getOrDefault("ok", 0L)).sum() == 0) {
            err.println("quorum workload: no operation succeeded; is the cluster at " + nodes + " up?");
            return 2;
        }
        StaleReads.Result stale = StaleReads.measure(result.history());
        out.printf(java.util.Locale.ROOT, "stale reads: %d of %d (%.2f %%)%n", stale.staleReads(), stale.okReads(),
                100 * stale.rate());
        if (!check) {
            out.flush();
            return 0;
        }
        String model = checkModel != null ? checkModel : "causal".equals(consistency) ? "causal" : "linearizable";
        if (model.equals("causal")) {
            CausalResult causal;
            try {
                causal = new CausalChecker().check(result.history());
            } catch (HistoryFormatException e) {
                err.println("quorum workload: the recorded history cannot be checked for causality: " + e.getMessage());
                return 2;
            }
            CausalText.print(out, causal);
            out.println("verdict: " + (causal.causal() ? "causal" : "not causal (" + causal.anomalyCount() + " anomalies)"));
            out.flush();
            return causal.causal() ? 0 : 1;
        }
        CheckResult verdict;
        try (LinearizabilityChecker checker = new LinearizabilityChecker(
                CheckOptions.defaults().withTimeout(Duration.ofSeconds(120)))) {
            verdict = checker.check(KvRegisterModel.INSTANCE, result.history());
        }
        VerdictText.print(out, verdict, false);
        out.println("verdict: " + switch (verdict.verdict()) {
            case LINEARIZABLE -> "linearizable";
            case NOT_LINEARIZABLE -> "not linearizable (" + verdict.violations().size() + " keys with violations)";
            case UNKNOWN -> "undecided";
        });
        out.flush();
        return switch (verdict.verdict()) {
            case LINEARIZABLE -> 0;
            case NOT_LINEARIZABLE -> 1;
            case UNKNOWN -> 3;
        };
    }

    private static void print(PrintWriter out, WorkloadResult r) {
        out.printf("ops: %d in %.1f s = %.0f ops/s; not ok: %d%n", r.operations(), r.elapsed().toNanos() / 1e9,
                r.opsPerSecond(), r.errors());
        for (Map.Entry<String, Map<String, Long>> e : r.counts().entrySet()) {
            Histogram h = r.latencyMicros().get(e.getKey());
            out.printf("  %-6s %s%s%n", e.getKey(), e.getValue(), h == null ? "" : String.format(
                    "  p50 %.2f ms  p99 %.2f ms  max %.2f ms", h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
        }
        out.flush();
    }
}
