package dev.quorum.client.wire;

import java.util.List;

/**
 * One replica operation inside an {@link InternalBatch}. A flat record: {@code op} says which
 * fields matter.
 * <ul>
 *   <li>{@code put}: {@code record}; with {@code hint_for}, the receiver keeps it as a hint for that node</li>
 *   <li>{@code get}: {@code key}</li>
 *   <li>{@code list}: {@code prefix}, {@code after}, {@code limit}</li>
 *   <li>{@code digest}: {@code ranges} as [lo, hi] pairs</li>
 *   <li>{@code entries}: {@code lo}, {@code hi}, {@code limit}</li>
 *   <li>{@code causal}: a causal write shipped by its coordinator: {@code record}, {@code origin},
 *       {@code seq} (the origin's write counter) and {@code deps} (the vector it depends on)</li>
 *   <li>{@code causal_read}: {@code key}, answered only if the replica has applied {@code deps}</li>
 * </ul>
 * {@code trace_id} ties the op to the client request that caused it (logged by the replica when
 * {@code trace} is set).
 */
public record InternalOp(
        String op,
        String key,
        WireRecord record,
        String hintFor,
        String prefix,
        String after,
        Integer limit,
        List<long[]> ranges,
        Long lo,
        Long hi,
        String traceId,
        Boolean trace,
        String origin,
        Long seq,
        java.util.Map<String, Long> deps) {

    public static InternalOp put(WireRecord record, String hintFor, String traceId, boolean trace) {
        return new InternalOp("put", null, record, hintFor, null, null, null, null, null, null, traceId,
                trace ? Boolean.TRUE : null, null, null, null);
    }

    public static InternalOp get(String key, String traceId, boolean trace) {
        return new InternalOp("get", key, null, null, null, null, null, null, null, null, traceId,
                trace ? Boolean.TRUE : null, null, null, null);
    }

    public static InternalOp list(String prefix, String after, int limit) {
        return new InternalOp("list", null, null, null, prefix, after, limit, null, null, null, null, null, null, null, null);
    }

    public static InternalOp digest(List<long[]> ranges) {
        return new InternalOp("digest", null, null, null, null, null, null, ranges, null, null, null, null, null, null,
                null);
    }

    public static InternalOp entries(long lo, long hi, int limit) {
        return new InternalOp("entries", null, null, null, null, null, limit, null, lo, hi, null, null, null, null,
                null);
    }

    public static InternalOp causal(WireRecord record, String origin, long seq, java.util.Map<String, Long> deps) {
        return new InternalOp("causal", null, record, null, null, null, null, null, null, null, null, null, origin, seq,
                deps);
    }

    /** After a snapshot: the receiver now holds everything of {@code origin}'s log up to {@code seq}. */
    public static InternalOp causalSkip(String origin, long seq) {
        return new InternalOp("causal_skip", null, null, null, null, null, null, null, null, null, null, null, origin,
                seq, null);
    }

    public static InternalOp causalRead(String key, java.util.Map<String, Long> deps, String traceId, boolean trace) {
        return new InternalOp("causal_read", key, null, null, null, null, null, null, null, null, traceId,
                trace ? Boolean.TRUE : null, null, null, deps);
    }

    /** Approximate bytes this op adds to a batch, to keep batches bounded. */
    public int weight() {
        return 128 + (record != null && record.value() != null ? record.value().length * 4 / 3 : 0);
    }
}
