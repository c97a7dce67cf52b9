package dev.quorum.cli;

import dev.quorum.check.CausalAnomaly;
import dev.quorum.check.CausalResult;
import dev.quorum.check.Violation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The text form of a causal check: one verdict line, then each anomaly with its chain. */
final class CausalText {
    /** Anomalies printed in full; --json has more. */
    static final int MAX_ANOMALIES = 5;
    /** Anomalies named in the verdict line. */
    static final int MAX_NAMED = 3;

    private CausalText() {}

    static void print(PrintWriter out, CausalResult r) {
        String totals = count(r.sessions(), "session") + ", " + count(r.operations(), "operation") + ", "
                + count(r.keys(), "key");
        if (r.causal()) {
            out.println("causal: " + totals + ", checked in " + r.elapsed().toMillis() + " ms");
            return;
        }
        Set<String> named = new LinkedHashSet<>();
        for (CausalAnomaly a : r.anomalies()) {
            named.add(a.kind() + " on key " + a.key());
        }
        List<String> first = new ArrayList<>(named).subList(0, Math.min(named.size(), MAX_NAMED));
        out.println("not causal: " + count(r.anomalyCount(), "anomaly", "anomalies") + " (" + String.join(", ", first)
                + (named.size() > MAX_NAMED || r.anomalyCount() > first.size() ? ", …" : "") + ")");
        StringBuilder kinds = new StringBuilder();
        r.byKind().forEach((k, v) -> kinds.append(kinds.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%,d", v)));
        out.println(totals + ", " + count(r.readsChecked(), "read") + " checked in " + r.elapsed().toMillis()
                + " ms; by kind: " + kinds);
        List<CausalAnomaly> shown = r.anomalies().subList(0, Math.min(r.anomalies().size(), MAX_ANOMALIES));
        for (CausalAnomaly a : shown) {
            out.println();
            out.println(a.kind() + " on key " + quote(a.key()) + ":");
            out.println("  " + a.explanation());
            out.println("  chain:");
            for (CausalAnomaly.ChainStep s : a.chain()) {
                out.println("    " + (s.via() == null ? "" : "-> (" + s.via() + ") ") + line(s.op()));
            }
        }
        int more = r.anomalyCount() - shown.size();
        if (more > 0) {
            out.println();
            out.println("… and " + String.format(Locale.ROOT, "%,d", more) + " more (--json describes up to "
                    + r.anomalies().size() + " in all)");
        }
    }

    private static String line(Violation.Step s) {
        return "process " + s.process() + "  " + s.invokeNs() + " .. " + (s.completeNs() == null ? "open" : s.completeNs())
                + "  " + s.outcome() + "  " + s.operation();
    }

    private static String quote(String key) {
        return '"' + key.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String count(int n, String noun) {
        return count(n, noun, noun + "s");
    }

    private static String count(int n, String one, String many) {
        return String.format(Locale.ROOT, "%,d", n) + " " + (n == 1 ? one : many);
    }
}
