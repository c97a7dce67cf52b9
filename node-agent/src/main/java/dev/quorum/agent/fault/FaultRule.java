package dev.quorum.agent.fault;

import java.util.List;
import java.util.Locale;

/**
 * One injected fault on this agent's links to chosen peers ({@code "*"} = every peer):
 * <ul>
 *   <li>{@code latency}: delay each call by a sample of {@code distribution} — {@code constant}
 *       ({@code ms}), {@code uniform} ({@code min_ms}..{@code max_ms}) or {@code exponential}
 *       (mean {@code ms});</li>
 *   <li>{@code drop}: lose each call with {@code probability}; a lost call is never answered, so
 *       its sender sees a timeout;</li>
 *   <li>{@code partition}: lose every call.</li>
 * </ul>
 * {@code direction} is {@code outbound} (calls this agent makes), {@code inbound} (calls it
 * receives from those peers) or {@code both} (the default).
 */
public record FaultRule(
        String type,
        List<String> peers,
        String direction,
        String distribution,
        Double ms,
        Double minMs,
        Double maxMs,
        Double probability) {

    /** Why the rule cannot be applied, or null when it is fine. */
    public String problem() {
        if (type == null || !List.of("latency", "drop", "partition").contains(type)) {
            return "type must be latency, drop or partition, got '" + type + "'";
        }
        if (peers == null || peers.isEmpty()) {
            return type + ": peers must name at least one peer, or \"*\"";
        }
        if (direction != null && !List.of("inbound", "outbound", "both").contains(direction)) {
            return type + ": direction must be inbound, outbound or both, got '" + direction + "'";
        }
        switch (type) {
            case "latency" -> {
                String d = distribution == null ? "constant" : distribution;
                switch (d) {
                    case "constant", "exponential" -> {
                        if (ms == null || ms < 0 || ms > 60_000) {
                            return "latency " + d + ": ms must be between 0 and 60000";
                        }
                    }
                    case "uniform" -> {
                        if (minMs == null || maxMs == null || minMs < 0 || maxMs < minMs || maxMs > 60_000) {
                            return "latency uniform: needs 0 <= min_ms <= max_ms <= 60000";
                        }
                    }
                    default -> {
                        return "latency: distribution must be constant, uniform or exponential, got '" + d + "'";
                    }
                }
            }
            case "drop" -> {
                if (probability == null || probability < 0 || probability > 1) {
                    return "drop: probability must be between 0 and 1";
                }
            }
            default -> {
                // partition needs nothing more
            }
        }
        return null;
    }

    boolean applies(String peer, boolean outbound) {
        String d = direction == null ? "both" : direction.toLowerCase(Locale.ROOT);
        boolean dirOk = d.equals("both") || d.equals(outbound ? "outbound" : "inbound");
        return dirOk && (peers.contains("*") || peers.contains(peer));
    }
}
