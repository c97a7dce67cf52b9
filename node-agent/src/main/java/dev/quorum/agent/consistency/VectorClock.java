package dev.quorum.agent.consistency;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A vector of causal-write sequence numbers, one per origin node: {@code {n1: 5, n3: 2}} means "the
 * first 5 writes coordinated by n1 and the first 2 by n3". Missing entries are 0. Immutable.
 *
 * <p>It is what a causal session token carries (the writes the session depends on), what a replica
 * has applied, and what a causal write depends on. Because every replica applies each origin's
 * writes in sequence order and only after their dependencies, "replica has applied {@code v}"
 * means it holds every write {@code v} names and everything those writes depended on.
 */
public final class VectorClock {
    public static final VectorClock EMPTY = new VectorClock(new TreeMap<>());
    /** Longest token accepted in a header: a few dozen nodes' entries. */
    public static final int MAX_TOKEN_CHARS = 4_096;

    private final TreeMap<String, Long> entries;

    private VectorClock(TreeMap<String, Long> entries) {
        this.entries = entries;
    }

    public static VectorClock of(Map<String, Long> map) {
        TreeMap<String, Long> m = new TreeMap<>();
        if (map != null) {
            map.forEach((k, v) -> {
                Objects.requireNonNull(k, "origin");
                if (v == null || v < 0) {
                    throw new IllegalArgumentException("sequence of " + k + " must be a non-negative number, got " + v);
                }
                if (v > 0) {
                    m.put(k, v);
                }
            });
        }
        return m.isEmpty() ? EMPTY : new VectorClock(m);
    }

    public long get(String origin) {
        return entries.getOrDefault(origin, 0L);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether this vector includes every write {@code other} names. */
    public boolean covers(VectorClock other) {
        for (Map.Entry<String, Long> e : other.entries.entrySet()) {
            if (get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The entry-wise maximum. */
    public VectorClock merge(VectorClock other) {
        if (other.entries.isEmpty() || covers(other)) {
            return this;
        }
        if (entries.isEmpty() || other.covers(this)) {
            return other;
        }
        TreeMap<String, Long> m = new TreeMap<>(entries);
        other.entries.forEach((k, v) -> m.merge(k, v, Math::max));
        return new VectorClock(m);
    }

    /** This vector with {@code origin}'s entry raised to at least {@code seq}. */
    public VectorClock with(String origin, long seq) {
        if (get(origin) >= seq) {
            return this;
        }
        TreeMap<String, Long> m = new TreeMap<>(entries);
        m.put(origin, seq);
        return new VectorClock(m);
    }

    /** This vector with {@code origin}'s entry set to exactly {@code seq} (lowered, too). */
    public VectorClock set(String origin, long seq) {
        TreeMap<String, Long> m = new TreeMap<>(entries);
        if (seq <= 0) {
            m.remove(origin);
        } else {
            m.put(origin, seq);
        }
        return m.isEmpty() ? EMPTY : new VectorClock(m);
    }

    public Map<String, Long> toMap() {
        return Collections.unmodifiableMap(entries);
    }

    /** Compact text form, {@code n1:5,n3:2}; the empty vector is the empty string. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        entries.forEach((k, v) -> {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(k).append(':').append(v);
        });
        return sb.toString();
    }

    /** The opaque session token clients carry in {@code X-Quorum-Session}: base64url of {@link #text()}. */
    public String token() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses a session token.
     *
     * @param isMember which origin ids are allowed (the cluster's members)
     * @throws IllegalArgumentException with a message for the client
     */
    public static VectorClock parseToken(String token, Predicate<String> isMember) {
        if (token == null || token.isEmpty()) {
            return EMPTY;
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new IllegalArgumentException("session token longer than " + MAX_TOKEN_CHARS + " characters");
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("session token is not one this cluster issued (not base64url)");
        }
        return parseText(text, isMember);
    }

    /** {@link #parseText(String)}, refusing entries for nodes that are not members. */
    public static VectorClock parseText(String text, Predicate<String> isMember) {
        VectorClock v = parseText(text);
        for (String origin : v.entries.keySet()) {
            if (!isMember.test(origin)) {
                throw new IllegalArgumentException("it names '" + origin
                        + "', which is not a member of this cluster (from another cluster?)");
            }
        }
        return v;
    }

    /** Parses {@link #text()}; throws {@link IllegalArgumentException} on anything else. */
    public static VectorClock parseText(String text) {
        if (text.isEmpty()) {
            return EMPTY;
        }
        TreeMap<String, Long> m = new TreeMap<>();
        for (String part : text.split(",", -1)) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0 || colon == part.length() - 1) {
                throw new IllegalArgumentException("session token is not one this cluster issued (bad entry)");
            }
            long seq;
            try {
                seq = Long.parseLong(part.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("session token is not one this cluster issued (bad number)");
            }
            if (seq < 0 || m.put(part.substring(0, colon), seq) != null) {
                throw new IllegalArgumentException("session token is not one this cluster issued (bad entry)");
            }
        }
        return of(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorClock v && entries.equals(v.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "{" + text() + "}";
    }
}
