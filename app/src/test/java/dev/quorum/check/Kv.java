package dev.quorum.check;

import java.util.Optional;

/** Short constructors for hand-written Quorum histories: {@code put(p, from, to, key, value)} and so on. */
final class Kv {
    private Kv() {}

    static Operation<KvCall, Optional<String>> put(long p, long from, long to, String key, String value) {
        return Operation.ok(p, from, to, KvCall.put(key, value), Optional.empty());
    }

    static Operation<KvCall, Optional<String>> delete(long p, long from, long to, String key) {
        return Operation.ok(p, from, to, KvCall.delete(key), Optional.empty());
    }

    /** A get that read {@code value}; {@code null} = the key was absent. */
    static Operation<KvCall, Optional<String>> get(long p, long from, long to, String key, String value) {
        return Operation.ok(p, from, to, KvCall.get(key), Optional.ofNullable(value));
    }

    static Operation<KvCall, Optional<String>> putUnknown(long p, long from, String key, String value) {
        return Operation.unknown(p, from, KvCall.put(key, value));
    }

    static Operation<KvCall, Optional<String>> putFailed(long p, long from, long to, String key, String value) {
        return Operation.failed(p, from, to, KvCall.put(key, value));
    }

    static Operation<KvCall, Optional<String>> getUnknown(long p, long from, String key) {
        return Operation.unknown(p, from, KvCall.get(key));
    }

    static Operation<KvCall, Optional<String>> deleteUnknown(long p, long from, String key) {
        return Operation.unknown(p, from, KvCall.delete(key));
    }

    static Operation<KvCall, Optional<String>> deleteFailed(long p, long from, long to, String key) {
        return Operation.failed(p, from, to, KvCall.delete(key));
    }

    static Operation<KvCall, Optional<String>> getFailed(long p, long from, long to, String key) {
        return Operation.failed(p, from, to, KvCall.get(key));
    }
}
