package dev.quorum.workload;

import dev.quorum.client.QuorumClient;
import dev.quorum.testing.AgentCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** What the under-faults tests share: running a workload beside a nemesis, and setting faults on an agent. */
final class Nemesis {
    /** How long each run lasts: short in CI, longer on demand with {@code -Dquorum.faults.seconds=N}. */
    static final Duration RUN = Duration.ofSeconds(Long.getLong("quorum.faults.seconds", 12));

    private Nemesis() {}

    static List<String> urls(AgentCluster c) {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            urls.add(c.url(i));
        }
        return urls;
    }

    /** Runs the workload while {@code nemesis} runs on its own thread; both end within the run. */
    static WorkloadResult runWith(WorkloadSpec spec, Runnable nemesis) throws Exception {
        ExecutorService side = Executors.newSingleThreadExecutor();
        try {
            Future<?> n = side.submit(nemesis);
            WorkloadResult r = new WorkloadRunner(spec).run(op -> { });
            n.get(60, TimeUnit.SECONDS);
            return r;
        } finally {
            side.shutdownNow();
            side.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Sets the agent's fault rules ({@code POST /admin/faults}), or clears them when {@code body} is null. */
    static int faults(QuorumClient c, String body) {
        return (body == null
                ? c.raw("DELETE", "/admin/faults", null, Map.of("Authorization", "Bearer " + AgentCluster.TOKEN))
                : c.raw("POST", "/admin/faults", body.getBytes(), Map.of("Authorization", "Bearer " + AgentCluster.TOKEN,
                        "Content-Type", "application/json"))).status();
    }

    static void report(String what, WorkloadResult r, List<String> faults) {
        System.out.printf("[%s] %d ops (%.0f/s), counts %s, faults %s%n", what, r.operations(), r.opsPerSecond(),
                r.counts(), faults);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms); // the nemesis holds each fault for a while: time is the point here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
