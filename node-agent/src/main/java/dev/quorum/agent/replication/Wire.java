package dev.quorum.agent.replication;

import dev.quorum.agent.store.KeyVersion;
import dev.quorum.agent.store.Keys;
import dev.quorum.agent.store.Record;
import dev.quorum.agent.store.Version;
import dev.quorum.client.wire.WireKeyVersion;
import dev.quorum.client.wire.WireRecord;

/** Conversions between store types and wire records, validating what comes from the network. */
public final class Wire {
    private Wire() {}

    public static WireRecord toWire(Record r) {
        return new WireRecord(r.key(), r.value(), r.contentType(), r.version().hlc(), r.version().node(), r.tombstone());
    }

    /** @throws IllegalArgumentException naming what is wrong with the record */
    public static Record fromWire(WireRecord w, int maxValueBytes) {
        if (w == null) {
            throw new IllegalArgumentException("record is missing");
        }
        Keys.problem(w.key()).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        if (w.hlc() <= 0) {
            throw new IllegalArgumentException("record hlc must be positive");
        }
        NodeIds.problem(w.node()).ifPresent(p -> {
            throw new IllegalArgumentException("record node: " + p);
        });
        Version v = new Version(w.hlc(), w.node());
        if (w.tombstone()) {
            if (w.value() != null) {
                throw new IllegalArgumentException("a tombstone carries no value");
            }
            return Record.tombstone(w.key(), v);
        }
        if (w.value() == null) {
            throw new IllegalArgumentException("record value is missing");
        }
        if (w.value().length > maxValueBytes) {
            throw new IllegalArgumentException("value of " + w.value().length + " bytes exceeds " + maxValueBytes);
        }
        if (w.contentType() != null && (w.contentType().length() > 255 || !w.contentType().chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("content type must be printable ASCII of at most 255 characters");
        }
        return Record.value(w.key(), w.value(), w.contentType(), v);
    }

    public static WireKeyVersion toWire(KeyVersion kv) {
        return new WireKeyVersion(kv.key(), kv.version().hlc(), kv.version().node(), kv.tombstone());
    }

    public static KeyVersion fromWire(WireKeyVersion w) {
        Keys.problem(w.key()).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        NodeIds.problem(w.node()).ifPresent(p -> {
            throw new IllegalArgumentException("entry node: " + p);
        });
        return new KeyVersion(w.key(), new Version(w.hlc(), w.node()), w.tombstone());
    }
}
