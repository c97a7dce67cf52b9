package dev.quorum.workload;

import dev.quorum.check.KvCall;
import dev.quorum.check.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What a workload run did: the history, counts by operation and outcome, and latencies of the
 * operations that succeeded (HdrHistogram, microseconds).
 */
public record WorkloadResult(
        List<Operation<KvCall, Optional<String>>> history,
        Map<String, Map<String, Long>> counts,
        Map<String, Histogram> latencyMicros,
        Duration elapsed) {

    public long operations() {
        return history.size();
    }

    public double opsPerSecond() {
        return history.size() / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }

    /** Operations that did not succeed (failed or unknown), all kinds together. */
    public long errors() {
        return counts.values().stream()
                .mapToLong(m -> m.getOrDefault("fail", 0L) + m.getOrDefault("unknown", 0L)).sum();
    }
}
