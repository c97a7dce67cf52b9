package dev.quorum.agent.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How writes flow. {@code leaderless}: any node coordinates any request, by the consistency model.
 * {@code primary-replica}: one node (the primary) takes every write and ships its ordered write log
 * to the others, which serve reads (docs/replicas.md).
 */
public enum Topology {
    LEADERLESS,
    PRIMARY_REPLICA;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Topology parse(String text) {
        for (Topology t : values()) {
            if (t.wireName().equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown topology '" + text + "'; expected one of "
                + Arrays.stream(values()).map(Topology::wireName).collect(Collectors.joining(", ")));
    }
}
