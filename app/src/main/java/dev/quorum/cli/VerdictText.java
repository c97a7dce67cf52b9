package dev.quorum.cli;

import dev.quorum.check.CheckResult;
import dev.quorum.check.KeyResult;
import dev.quorum.check.Violation;
import java.io.PrintWriter;
import java.util.List;

/** The text form of a check's result: one verdict line, then the why. */
final class VerdictText {
    /** Violations printed in full; --json has them all. */
    static final int MAX_VIOLATIONS = 5;
    static final int MAX_UNDECIDED = 10;

    private VerdictText() {}

    static void print(PrintWriter out, CheckResult r, boolean timesAreLineNumbers) {
        List<KeyResult> undecided = r.undecided();
        List<KeyResult> budget = undecided.stream().filter(k -> !k.reason().startsWith("not checked")).toList();
        String totals = plural(r.keys().size(), "key") + ", " + plural(r.operations(), "operation")
                + ", checked in " + r.elapsed().toMillis() + " ms";
        switch (r.verdict()) {
            case LINEARIZABLE -> out.println("linearizable: " + totals);
            case NOT_LINEARIZABLE -> {
                List<Violation> vs = r.violations();
                String where = vs.size() == 1 && vs.get(0).key().isEmpty() ? "a violation"
                        : "a violation on " + (vs.size() == 1 ? "key " : vs.size() + " keys: ") + keys(vs);
                String skipped = undecided.isEmpty() ? ""
                        : " (" + plural(undecided.size(), "key") + " left undecided: checking stops at the first"
                                + " violation unless --all-keys)";
                out.println("NOT linearizable: " + where + "; " + totals + skipped);
                if (timesAreLineNumbers) {
                    out.println("(times are line numbers in the history file)");
                }
                for (int i = 0; i < Math.min(vs.size(), MAX_VIOLATIONS); i++) {
                    out.println();
                    out.print(vs.get(i).explanation());
                }
                if (vs.size() > MAX_VIOLATIONS) {
                    out.println();
                    out.println("… and " + (vs.size() - MAX_VIOLATIONS) + " more keys with a violation (--json lists all)");
                }
            }
            case UNKNOWN -> {
                out.println("undecided: no violation found, but " + budget.size() + " of " + r.keys().size()
                        + " keys ran out of budget (try a longer --timeout, or more --max-steps / --max-memory-mb); "
                        + totals);
                for (KeyResult k : budget.subList(0, Math.min(budget.size(), MAX_UNDECIDED))) {
                    out.println("  key \"" + k.key() + "\": " + k.reason());
                }
            }
        }
    }

    private static String keys(List<Violation> vs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(vs.size(), MAX_UNDECIDED); i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(vs.get(i).key()).append('"');
        }
        return b.append(vs.size() > MAX_UNDECIDED ? ", …" : "").toString();
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
