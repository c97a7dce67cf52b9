package dev.quorum.client.wire;

import java.util.List;

/**
 * The answer to one {@link InternalOp}: {@code status} is {@code ok} or {@code error} (with
 * {@code error} saying why). For {@code put}, {@code applied} and the replica's current
 * {@code version}; for {@code get}, the {@code record} (absent when the replica has none);
 * for {@code list}/{@code entries}, {@code entries}; for {@code digest}, {@code digests}.
 */
public record InternalResult(
        String status,
        String error,
        Boolean applied,
        Long hlc,
        String node,
        WireRecord record,
        List<WireKeyVersion> entries,
        List<WireDigest> digests) {

    public static InternalResult error(String message) {
        return new InternalResult("error", message, null, null, null, null, null, null);
    }

    public static InternalResult applied(boolean applied, long hlc, String node) {
        return new InternalResult("ok", null, applied, hlc, node, null, null, null);
    }

    public static InternalResult record(WireRecord record) {
        return new InternalResult("ok", null, null, null, null, record, null, null);
    }

    public static InternalResult entries(List<WireKeyVersion> entries) {
        return new InternalResult("ok", null, null, null, null, null, entries, null);
    }

    public static InternalResult digests(List<WireDigest> digests) {
        return new InternalResult("ok", null, null, null, null, null, null, digests);
    }

    public boolean ok() {
        return "ok".equals(status);
    }
}
