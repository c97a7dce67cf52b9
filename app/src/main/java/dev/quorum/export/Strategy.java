package dev.quorum.export;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The balancing strategies, by the names Quorum's own balancer uses (a contract: the CLI, the console
 * and the docs spell them exactly like {@link #label()}).
 */
public enum Strategy {
    ROUND_ROBIN("round-robin"),
    WEIGHTED_ROUND_ROBIN("weighted-round-robin"),
    LEAST_CONNECTIONS("least-connections"),
    POWER_OF_TWO_CHOICES("power-of-two-choices"),
    LEAST_TIME("least-time"),
    CONSISTENT_HASH("consistent-hash");

    private final String label;

    Strategy(String label) {
        this.label = label;
    }

    /** The contract name, e.g. {@code power-of-two-choices}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Every label, comma-separated, in declaration order. */
    public static String labels() {
        return Arrays.stream(values()).map(Strategy::label).collect(Collectors.joining(", "));
    }

    /**
     * The strategy named {@code name} (case and surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the valid strategies
     */
    public static Strategy parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (Strategy s : values()) {
            if (s.label.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "'; valid strategies: " + labels());
    }
}
