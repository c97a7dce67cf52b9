package dev.quorum.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code quorum.jar}: the operator's tools, headless. Subcommands: {@code check} (recorded
 * histories), {@code workload} (recording them) and {@code export} (the balancing as nginx or HAProxy
 * configuration).
 */
@Command(
        name = "quorum",
        mixinStandardHelpOptions = true,
        versionProvider = QuorumCli.JarVersion.class,
        description = "Quorum's tools for operators: record and check histories, export the balancing to nginx or HAProxy.",
        subcommands = {CheckCli.class, WorkloadCli.class, ExportCli.class})
public final class QuorumCli implements Runnable {

    /** Exit status for a bug in the tool itself (an unexpected exception), apart from every verdict. */
    static final int EXIT_INTERNAL = 70;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call {@code execute} on it with their own out/err writers). */
    public static CommandLine commandLine() {
        return new CommandLine(new QuorumCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    PrintWriter err = cmd.getErr();
                    err.println("quorum: internal error: " + e);
                    e.printStackTrace(err);
                    err.flush();
                    return EXIT_INTERNAL;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
    static final class JarVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = QuorumCli.class.getPackage().getImplementationVersion();
            return new String[] {"quorum " + (v == null ? "dev" : v)};
        }
    }
}
