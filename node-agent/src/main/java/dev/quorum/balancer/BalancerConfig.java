package dev.quorum.balancer;

import java.util.ArrayList;
import java.util.List;

/**
 * The balancer's live settings (the strategy is kept by {@link BackendPool}). Immutable; {@code PUT
 * /admin/config} replaces it with a patched copy once the copy is valid.
 *
 * @param healthIntervalMs period of the active checks
 * @param healthTimeoutMs time a check may take
 * @param rise good checks in a row to bring a backend up
 * @param fall failed checks in a row to take it down
 * @param ejectAfter consecutive failed requests that take a backend out (passive ejection)
 * @param ejectMs how long an ejected backend stays out
 * @param upstreamTimeoutMs time a backend gets to answer one request
 * @param retryGets whether a failed GET is retried once on another backend
 * @param maxLagEntries primary-replica topology: a replica further behind the primary's log than this
 *     leaves the read rotation until it catches up
 */
public record BalancerConfig(long healthIntervalMs, long healthTimeoutMs, int rise, int fall, int ejectAfter,
        long ejectMs, long upstreamTimeoutMs, boolean retryGets, long maxLagEntries) {

    public static BalancerConfig defaults() {
        return new BalancerConfig(1_000, 500, 2, 3, 5, 10_000, 5_000, true, 1_000);
    }

    public List<String> problems() {
        List<String> out = new ArrayList<>();
        range(out, "health_interval_ms", healthIntervalMs, 50, 3_600_000);
        range(out, "health_timeout_ms", healthTimeoutMs, 10, 60_000);
        range(out, "rise", rise, 1, 100);
        range(out, "fall", fall, 1, 100);
        range(out, "eject_after", ejectAfter, 1, 1_000);
        range(out, "eject_ms", ejectMs, 1, 3_600_000);
        range(out, "upstream_timeout_ms", upstreamTimeoutMs, 10, 600_000);
        range(out, "max_lag_entries", maxLagEntries, 0, Long.MAX_VALUE / 2);
        return out;
    }

    private static void range(List<String> out, String name, long v, long min, long max) {
        if (v < min || v > max) {
            out.add(name + " must be between " + min + " and " + max + ", got " + v);
        }
    }

    /** A {@code PUT /admin/config} body: every field optional. */
    public record Patch(String strategy, Long healthIntervalMs, Long healthTimeoutMs, Integer rise, Integer fall,
            Integer ejectAfter, Long ejectMs, Long upstreamTimeoutMs, Boolean retryGets, Long maxLagEntries) {}

    public BalancerConfig apply(Patch p) {
        return new BalancerConfig(
                p.healthIntervalMs() != null ? p.healthIntervalMs() : healthIntervalMs,
                p.healthTimeoutMs() != null ? p.healthTimeoutMs() : healthTimeoutMs,
                p.rise() != null ? p.rise() : rise,
                p.fall() != null ? p.fall() : fall,
                p.ejectAfter() != null ? p.ejectAfter() : ejectAfter,
                p.ejectMs() != null ? p.ejectMs() : ejectMs,
                p.upstreamTimeoutMs() != null ? p.upstreamTimeoutMs() : upstreamTimeoutMs,
                p.retryGets() != null ? p.retryGets() : retryGets,
                p.maxLagEntries() != null ? p.maxLagEntries() : maxLagEntries);
    }
}
