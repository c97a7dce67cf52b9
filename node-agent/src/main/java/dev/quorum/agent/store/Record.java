package dev.quorum.agent.store;

import java.util.Objects;

/**
 * One versioned value as replicas store and exchange it. A delete is a record with
 * {@code tombstone == true} and no value, kept until its grace period has passed so that
 * replicas which missed the delete learn of it instead of resurrecting the old value.
 */
public record Record(String key, byte[] value, String contentType, Version version, boolean tombstone) {

    public Record {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        if (tombstone) {
            value = null;
            contentType = null;
        } else {
            Objects.requireNonNull(value, "value");
        }
    }

    public static Record value(String key, byte[] value, String contentType, Version version) {
        return new Record(key, value, contentType, version, false);
    }

    public static Record tombstone(String key, Version version) {
        return new Record(key, null, null, version, true);
    }

    public int valueSize() {
        return value == null ? 0 : value.length;
    }

    public KeyVersion keyVersion() {
        return new KeyVersion(key, version, tombstone);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r
                && key.equals(r.key)
                && version.equals(r.version)
                && tombstone == r.tombstone
                && Objects.equals(contentType, r.contentType)
                && java.util.Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, version, tombstone);
    }

    @Override
    public String toString() {
        return "Record[" + key + " " + version + (tombstone ? " tombstone" : " " + valueSize() + " bytes") + "]";
    }
}
