package dev.quorum.agent.store;

import java.util.Objects;

/**
 * The version of a record: a hybrid logical clock reading and the id of the node that issued it.
 * Versions are totally ordered (clock first, node id to break ties), which is what makes
 * last-writer-wins deterministic on every replica.
 *
 * <p>Text form {@code <hlc>@<node>}, for headers and logs, e.g. {@code 113562119043645440@n1}.
 */
public record Version(long hlc, String node) implements Comparable<Version> {

    /** Clock layout: the high 48 bits are milliseconds since the epoch, the low 16 a logical counter. */
    public static final int LOGICAL_BITS = 16;

    public Version {
        Objects.requireNonNull(node, "node");
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(hlc, o.hlc);
        return c != 0 ? c : node.compareTo(o.node);
    }

    public boolean isNewerThan(Version o) {
        return o == null || compareTo(o) > 0;
    }

    /** Milliseconds since the epoch of the physical part of the clock reading. */
    public long physicalMillis() {
        return hlc >>> LOGICAL_BITS;
    }

    @Override
    public String toString() {
        return hlc + "@" + node;
    }

    /** Parses the text form; throws {@link IllegalArgumentException} with a readable message. */
    public static Version parse(String text) {
        int at = text == null ? -1 : text.indexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("version must look like <hlc>@<node>, got '" + text + "'");
        }
        try {
            return new Version(Long.parseLong(text.substring(0, at)), text.substring(at + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("version clock part is not a number: '" + text + "'");
        }
    }
}
