package dev.quorum.cli;

import dev.quorum.check.AppendKvModel;
import dev.quorum.check.CasRegisterModel;
import dev.quorum.check.CausalChecker;
import dev.quorum.check.CausalResult;
import dev.quorum.check.CheckOptions;
import dev.quorum.check.CheckResult;
import dev.quorum.check.HistoryFormatException;
import dev.quorum.check.JepsenEtcdLog;
import dev.quorum.check.JepsenKvLog;
import dev.quorum.check.KvCall;
import dev.quorum.check.KvRegisterModel;
import dev.quorum.check.LinearizabilityChecker;
import dev.quorum.check.Model;
import dev.quorum.check.Operation;
import dev.quorum.check.QuorumHistoryReader;
import dev.quorum.check.StaleReads;
import dev.quorum.client.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/** {@code quorum check}: is a recorded history consistent? The verdict is the exit status too. */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Check a recorded history against a consistency model (docs/consistency.md): linearizable (per key,"
                    + " the default) or causal (causal consistency with convergent last-writer-wins, Quorum"
                    + " histories only).",
            "The first line printed is the verdict; then why. --stale-reads adds a real-time staleness measure."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            " 0:consistent (linearizable, or causal)",
            " 1:anomalies found (not linearizable, or not causal)",
            " 2:bad input or usage (including a history the model cannot take, such as one process running two"
                    + " operations at once under --model causal)",
            " 3:undecided (linearizable: a key ran out of its time or memory budget)",
            "70:internal error (--stale-reads never changes the exit status)"
        })
final class CheckCli implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_ANOMALIES = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNDECIDED = 3;

    enum ConsistencyModel { LINEARIZABLE, CAUSAL }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "linearizable", paramLabel = "MODEL",
            description = "linearizable (per key), or causal (causal+ with last-writer-wins; --format quorum only;"
                    + " --timeout, --max-steps and the other search options do not apply)."
                    + " Default: ${DEFAULT-VALUE}.")
    ConsistencyModel model;

    @Option(names = "--format", defaultValue = "quorum", paramLabel = "FORMAT", converter = HistoryFormat.Converter.class,
            description = "quorum (JSON lines, docs/consistency.md), jepsen-etcd (a Jepsen etcd log: one compare-and-set"
                    + " register) or jepsen-kv (Jepsen get/put/append maps). Default: ${DEFAULT-VALUE}.")
    HistoryFormat format;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for the whole check; keys not decided by then leave the verdict undecided (exit 3)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--key-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for one key's search (default: the --timeout).")
    Duration keyTimeout;

    @Option(names = "--max-steps", defaultValue = "50000000", paramLabel = "N",
            description = "Search steps for one key. Default: ${DEFAULT-VALUE}.")
    long maxSteps;

    @Option(names = "--max-memory-mb", defaultValue = "256", paramLabel = "MB",
            description = "Memory one key's search may fill (estimated). Default: ${DEFAULT-VALUE}.")
    long maxMemoryMb;

    @Option(names = "--threads", paramLabel = "N", description = "Keys checked in parallel (default: one per core).")
    Integer threads;

    @Option(names = "--all-keys",
            description = "Keep checking the other keys after a violation (default: stop at the first one).")
    boolean allKeys;

    @Option(names = "--json", description = "Print the result as JSON instead of text.")
    boolean json;

    @Option(names = "--stale-reads",
            description = "Also measure stale reads in real time (a read returning a value older than a write that"
                    + " completed before it began): count, rate, per second, examples. Quorum histories only; does"
                    + " not change the exit status.")
    boolean staleReads;

    @Parameters(index = "0", paramLabel = "HISTORY", description = "The history file.")
    Path history;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (model == ConsistencyModel.CAUSAL && format != HistoryFormat.QUORUM) {
            err.println("quorum check: --model causal checks Quorum key-value histories only (--format quorum);"
                    + " a " + format.label() + " history can be checked with --model linearizable");
            return EXIT_USAGE;
        }
        CheckOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<Operation<KvCall, Optional<String>>> quorumHistory = null;
        CheckResult result = null;
        CausalResult causal = null;
        try {
            if (format == HistoryFormat.QUORUM) {
                quorumHistory = QuorumHistoryReader.read(history);
            }
            if (model == ConsistencyModel.CAUSAL) {
                causal = causalCheck(quorumHistory);
            } else {
                try (LinearizabilityChecker checker = new LinearizabilityChecker(options)) {
                    result = switch (format) {
                        case QUORUM -> check(checker, KvRegisterModel.INSTANCE, quorumHistory);
                        case JEPSEN_ETCD -> check(checker, CasRegisterModel.INSTANCE, JepsenEtcdLog.read(history));
                        case JEPSEN_KV -> check(checker, AppendKvModel.INSTANCE, JepsenKvLog.read(history));
                    };
                }
            }
        } catch (NoSuchFileException e) {
            err.println("quorum check: no such file: " + history);
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("quorum check: cannot read " + history + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (HistoryFormatException e) {
            if (e.line() == 0) {
                err.println("quorum check: " + history + " cannot be checked for causal consistency: " + e.getMessage());
            } else {
                err.println("quorum check: " + history + " is not a valid " + format.label() + " history: "
                        + e.getMessage());
            }
            return EXIT_USAGE;
        }
        StaleReads.Result stale = null;
        if (staleReads) {
            if (quorumHistory == null) {
                err.println("quorum check: --stale-reads measures Quorum key-value histories only (--format quorum);"
                        + " skipped");
            } else {
                stale = StaleReads.measure(quorumHistory);
            }
        }
        if (json) {
            ObjectNode root = causal != null ? causal.toJson() : result.toJson();
            if (stale != null) {
                root.set("stale_reads", stale.toJson());
            }
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            if (causal != null) {
                CausalText.print(out, causal);
            } else {
                VerdictText.print(out, result, format.timesAreLineNumbers());
            }
            if (stale != null) {
                out.println();
                out.print(stale.text());
            }
        }
        out.flush();
        if (causal != null) {
            return causal.causal() ? EXIT_OK : EXIT_ANOMALIES;
        }
        return switch (result.verdict()) {
            case LINEARIZABLE -> EXIT_OK;
            case NOT_LINEARIZABLE -> EXIT_ANOMALIES;
            case UNKNOWN -> EXIT_UNDECIDED;
        };
    }

    private static CausalResult causalCheck(List<Operation<KvCall, Optional<String>>> h) throws HistoryFormatException {
        return new CausalChecker().check(h);
    }

    private CheckOptions options() {
        CheckOptions o = CheckOptions.defaults()
                .withTimeout(timeout)
                .withKeyTimeout(keyTimeout == null ? timeout : keyTimeout)
                .withMaxStepsPerKey(maxSteps)
                .withMaxMemoBytesPerKey(Math.multiplyExact(maxMemoryMb, 1L << 20))
                .withStopAtFirstViolation(!allKeys);
        return threads == null ? o : o.withThreads(threads);
    }

    private static <S, I, O> CheckResult check(
            LinearizabilityChecker checker, Model<S, I, O> model, List<Operation<I, O>> history) {
        return checker.check(model, history);
    }
}
