package dev.quorum.agent.http;

import dev.quorum.agent.fault.FaultInjector;
import dev.quorum.agent.fault.FaultRule;
import dev.quorum.agent.fault.FaultSet;
import java.util.Set;

/**
 * {@code GET|POST|DELETE /admin/faults}: the faults injected on this agent. POST replaces the whole
 * set (rules and pause) — posting the same body twice is harmless; DELETE clears everything. Only
 * served when the agent runs with {@code --enable-faults}.
 */
public final class FaultsHandler {
    private final FaultInjector faults;
    private final boolean enabled;

    public FaultsHandler(FaultInjector faults, boolean enabled) {
        this.faults = faults;
        this.enabled = enabled;
    }

    public void handle(Call call) {
        call.op("admin.faults");
        call.allowOnly(Set.of());
        if (!enabled) {
            throw new ApiException(404, "faults_disabled",
                    "fault injection is disabled on this agent; start it with --enable-faults");
        }
        switch (call.method()) {
            case "GET" -> call.sendJson(200, faults.current());
            case "POST" -> {
                FaultSet set = call.json(64 * 1024, FaultSet.class);
                for (int i = 0; i < set.rules().size(); i++) {
                    FaultRule r = set.rules().get(i);
                    String problem = r == null ? "rule is null" : r.problem();
                    if (problem != null) {
                        throw ApiException.badRequest("bad_fault", "rule " + i + ": " + problem);
                    }
                }
                faults.set(set);
                call.sendJson(200, faults.current());
            }
            case "DELETE" -> {
                faults.set(FaultSet.NONE);
                call.sendJson(200, faults.current());
            }
            default -> throw new ApiException(405, "method_not_allowed", "use GET, POST or DELETE on /admin/faults")
                    .header("Allow", "GET, POST, DELETE");
        }
    }
}
