package dev.quorum.check;

import java.util.List;
import java.util.Locale;

/**
 * One way a history breaks causal consistency (docs/consistency.md, "Checking causal consistency").
 *
 * @param kind what went wrong, see {@link Kind}
 * @param key the key involved (for an arbitration cycle spanning several keys, the key of its first read)
 * @param read the read that returned a value it should not have; {@code null} for {@link Kind#CYCLIC_CAUSALITY}
 * @param value what that read returned; {@code null} when it found the key absent (or there is no read)
 * @param readFrom the write whose value the read returned; {@code null} for thin-air and absent reads
 * @param newerWrites the writes the read should have seen (they are in its causal past and causally after,
 *     or arbitrated after, the write it read from)
 * @param chain the ops that show it, in causal order: each step says how it follows the one before it
 *     ({@code session order}, {@code read from}, or an {@code arbitration} constraint)
 * @param operations every operation involved, by invocation time
 * @param explanation the same for humans, one paragraph
 */
public record CausalAnomaly(
        String kind,
        String key,
        Violation.Step read,
        String value,
        Violation.Step readFrom,
        List<Violation.Step> newerWrites,
        List<ChainStep> chain,
        List<Violation.Step> operations,
        String explanation) {

    public CausalAnomaly {
        newerWrites = List.copyOf(newerWrites);
        chain = List.copyOf(chain);
        operations = List.copyOf(operations);
    }

    /**
     * One step of a chain.
     *
     * @param via how this operation follows the previous step: {@code session order} (same process, later),
     *     {@code read from} (it read the previous step's value), or {@code arbitration: ...} (a read forces the
     *     previous write to be ordered before this one); {@code null} for the first step
     */
    public record ChainStep(String via, Violation.Step op) {}

    /** The kinds of anomaly, by their names in reports. */
    public enum Kind {
        /** A read returned a value no put wrote, or one whose put failed. */
        THIN_AIR_READ,
        /** Session order and read-from form a cycle: an operation is in its own causal past. */
        CYCLIC_CAUSALITY,
        /** A read missed (was older than) a write its own session had made before it. */
        READ_YOUR_WRITES,
        /** A read missed a write its session had already read. */
        MONOTONIC_READS,
        /** A read missed a write that reached its causal past through other sessions. */
        CAUSAL_ORDER,
        /** No last-writer-wins order of the writes satisfies every read and causal order together. */
        ARBITRATION_CYCLE;

        /** {@code read-your-writes} and so on. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
