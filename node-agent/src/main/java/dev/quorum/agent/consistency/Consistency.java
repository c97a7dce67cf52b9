package dev.quorum.agent.consistency;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The consistency model a cluster (or one request) runs under. See docs/architecture.md for the promises. */
public enum Consistency {
    STRONG,
    EVENTUAL,
    CAUSAL;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Consistency parse(String text) {
        for (Consistency c : values()) {
            if (c.wireName().equals(text)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown consistency '" + text + "'; expected one of "
                + Arrays.stream(values()).map(Consistency::wireName).collect(Collectors.joining(", ")));
    }

}
