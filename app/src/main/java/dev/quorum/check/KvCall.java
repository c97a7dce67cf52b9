package dev.quorum.check;

import java.util.Objects;

/**
 * An operation on Quorum's key-value API, as recorded in a Quorum history.
 *
 * @param value the value a put writes; {@code null} for get and delete (what a get read is its output)
 */
public record KvCall(Kind kind, String key, String value) {

    public enum Kind { PUT, GET, DELETE }

    public KvCall {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if ((kind == Kind.PUT) != (value != null)) {
            throw new IllegalArgumentException("a put carries a value, a get or delete does not");
        }
    }

    public static KvCall put(String key, String value) {
        return new KvCall(Kind.PUT, key, Objects.requireNonNull(value, "value"));
    }

    public static KvCall get(String key) {
        return new KvCall(Kind.GET, key, null);
    }

    public static KvCall delete(String key) {
        return new KvCall(Kind.DELETE, key, null);
    }
}
