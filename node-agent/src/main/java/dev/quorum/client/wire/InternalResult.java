package dev.quorum.client.wire;

import java.util.List;

/**
 * The answer to one {@link InternalOp}: {@code status} is {@code ok} or {@code error} (with
 * {@code error} saying why). For {@code put}, {@code applied} and the replica's current
 * {@code version}; for {@code get}, the {@code record} (absent when the replica has none);
 * for {@code list}/{@code entries}, {@code entries}; for {@code digest}, {@code digests}; for
 * {@code causal}, {@code seq}: how far the replica has applied that origin's writes (the sender's
 * acknowledgement); for {@code causal_read}, the {@code record} and, when it came from a causal
 * write, that write's {@code origin} and {@code seq}.
 */
public record InternalResult(
        String status,
        String error,
        Boolean applied,
        Long hlc,
        String node,
        WireRecord record,
        List<WireKeyVersion> entries,
        List<WireDigest> digests,
        String origin,
        Long seq) {

    public static InternalResult error(String message) {
        return new InternalResult("error", message, null, null, null, null, null, null, null, null);
    }

    public static InternalResult applied(boolean applied, long hlc, String node) {
        return new InternalResult("ok", null, applied, hlc, node, null, null, null, null, null);
    }

    public static InternalResult record(WireRecord record) {
        return new InternalResult("ok", null, null, null, null, record, null, null, null, null);
    }

    public static InternalResult entries(List<WireKeyVersion> entries) {
        return new InternalResult("ok", null, null, null, null, null, entries, null, null, null);
    }

    public static InternalResult digests(List<WireDigest> digests) {
        return new InternalResult("ok", null, null, null, null, null, null, digests, null, null);
    }

    public static InternalResult causalAck(long seq) {
        return new InternalResult("ok", null, null, null, null, null, null, null, null, seq);
    }

    public static InternalResult causalRecord(WireRecord record, String origin, Long seq) {
        return new InternalResult("ok", null, null, null, null, record, null, null, origin, seq);
    }

    public boolean ok() {
        return "ok".equals(status);
    }
}
