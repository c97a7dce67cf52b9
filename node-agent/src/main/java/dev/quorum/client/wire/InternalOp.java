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
        Boolean trace) {

    public static InternalOp put(WireRecord record, String hintFor, String traceId, boolean trace) {
        return new InternalOp("put", null, record, hintFor, null, null, null, null, null, null, traceId,
                trace ? Boolean.TRUE : null);
    }

    public static InternalOp get(String key, String traceId, boolean trace) {
        return new InternalOp("get", key, null, null, null, null, null, null, null, null, traceId,
                trace ? Boolean.TRUE : null);
    }

    public static InternalOp list(String prefix, String after, int limit) {
        return new InternalOp("list", null, null, null, prefix, after, limit, null, null, null, null, null);
    }

    public static InternalOp digest(List<long[]> ranges) {
        return new InternalOp("digest", null, null, null, null, null, null, ranges, null, null, null, null);
    }

    public static InternalOp entries(long lo, long hi, int limit) {
        return new InternalOp("entries", null, null, null, null, null, limit, null, lo, hi, null, null);
    }

    /** Approximate bytes this op adds to a batch, to keep batches bounded. */
    public int weight() {
        return 128 + (record != null && record.value() != null ? record.value().length * 4 / 3 : 0);
    }
}
