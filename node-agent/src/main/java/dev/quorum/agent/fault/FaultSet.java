package dev.quorum.agent.fault;

import java.util.List;

/**
 * The faults active on an agent: link rules and whether it is paused (it then answers nothing but
 * {@code /admin/faults}, and every call it makes is lost — as if frozen). Replaced as a whole by
 * {@code POST /admin/faults}.
 */
public record FaultSet(List<FaultRule> rules, Boolean paused) {
    public static final FaultSet NONE = new FaultSet(List.of(), false);

    public FaultSet {
        rules = rules == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(rules));
        paused = paused != null && paused; // absent means not paused
    }

    public boolean active() {
        return paused || !rules.isEmpty();
    }
}
