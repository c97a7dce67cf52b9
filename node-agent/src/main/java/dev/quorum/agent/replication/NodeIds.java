package dev.quorum.agent.replication;

import java.util.Optional;
import java.util.regex.Pattern;

/** Node ids: 1–64 characters of {@code [A-Za-z0-9_.-]}, so they sort the same in Java and SQLite and need no escaping. */
public final class NodeIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private NodeIds() {}

    public static Optional<String> problem(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            return Optional.of("node id must be 1-64 characters of A-Z a-z 0-9 _ . -, got '" + id + "'");
        }
        return Optional.empty();
    }
}
