package dev.quorum.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a workload does: who it talks to, how many clients, which operations on which keys, how fast
 * and for how long. Every written value is unique ({@code c<client>-<seq>}, padded to
 * {@code valueSize}), so each read can be attributed to the write it saw.
 *
 * @param consistency the model asked for per request ({@code X-Quorum-Consistency}); null = the cluster's
 * @param maxOps stop after this many operations in all (0 = no limit; then {@code duration} bounds it)
 * @param ratePerSecond operations per second for all clients together (0 = as fast as they can)
 * @param keyPrefix prepended to every key; a fresh prefix per run means every key starts absent, which
 *     the checker assumes (data left by an earlier run would look like values from nowhere)
 * @param hop each operation goes to a node chosen at random (a session that moves, which is what
 *     causal tokens are for); false = each client stays on one node
 */
public record WorkloadSpec(
        List<String> nodes,
        String token,
        String consistency,
        int clients,
        Duration duration,
        long maxOps,
        int keys,
        double readRatio,
        double deleteRatio,
        KeyDistribution distribution,
        int valueSize,
        double ratePerSecond,
        long seed,
        Duration requestTimeout,
        String keyPrefix,
        boolean hop) {

    public enum KeyDistribution { UNIFORM, ZIPFIAN }

    public WorkloadSpec {
        nodes = List.copyOf(nodes);
    }

    /** Every reason this spec cannot run; empty when it is fine. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (nodes.isEmpty()) {
            out.add("--nodes needs at least one URL");
        }
        if (clients < 1 || clients > 1_024) {
            out.add("--clients must be between 1 and 1024");
        }
        if (duration.isNegative() || duration.isZero()) {
            out.add("--duration must be positive");
        }
        if (duration.compareTo(Duration.ofHours(24)) > 0) {
            out.add("--duration is at most 24h");
        }
        if (maxOps < 0) {
            out.add("--ops must not be negative");
        }
        if (keys < 1 || keys > 10_000_000) {
            out.add("--keys must be between 1 and 10000000");
        }
        if (readRatio < 0 || deleteRatio < 0 || readRatio + deleteRatio > 1) {
            out.add("--read-ratio and --delete-ratio must be >= 0 and add up to at most 1");
        }
        if (valueSize < 8 || valueSize > 1 << 20) {
            out.add("--value-size must be between 8 and 1048576");
        }
        if (ratePerSecond < 0) {
            out.add("--rate must not be negative");
        }
        if (keyPrefix == null || keyPrefix.length() > 200 || !keyPrefix.matches("[A-Za-z0-9._/-]*")) {
            out.add("--key-prefix must be at most 200 characters of A-Z a-z 0-9 . _ / -");
        }
        if (consistency != null && !List.of("strong", "eventual", "causal").contains(consistency)) {
            out.add("--consistency must be strong, eventual or causal");
        }
        return out;
    }
}
