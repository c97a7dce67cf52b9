package dev.quorum.workload;

import dev.quorum.client.QuorumClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how long replicas take to hold the same data once faults are healed and writes have
 * stopped: polls every node's {@code GET /admin/digest} until all answer with the same digest and
 * record count. Meaningful when every node holds every key (n = cluster size), as in the default
 * three-node cluster.
 */
public final class Convergence {
    /**
     * @param converged whether the replicas agreed before the deadline
     * @param elapsed from the call to the first poll at which they agreed (or to the deadline)
     * @param polls rounds of polling
     * @param lastDigests what each node answered last (its digest and count, or the error)
     */
    public record Result(boolean converged, Duration elapsed, int polls, Map<String, String> lastDigests) {}

    private Convergence() {}

    /** Polls every {@code interval} until the digests agree or {@code timeout} passes. */
    public static Result measure(List<String> nodes, String token, Duration interval, Duration timeout) {
        List<QuorumClient> clients = new ArrayList<>();
        for (String url : nodes) {
            clients.add(new QuorumClient(url, token, Duration.ofSeconds(2)));
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int polls = 0;
        Map<String, String> last = new LinkedHashMap<>();
        try {
            while (true) {
                polls++;
                last = poll(nodes, clients);
                boolean agree = last.values().stream().distinct().count() == 1
                        && !last.values().iterator().next().startsWith("error");
                long now = System.nanoTime();
                if (agree || now >= deadline) {
                    return new Result(agree, Duration.ofNanos(now - start), polls, last);
                }
                LockSupport.parkNanos(Math.min(interval.toNanos(), deadline - now));
            }
        } finally {
            clients.forEach(QuorumClient::close);
        }
    }

    private static Map<String, String> poll(List<String> nodes, List<QuorumClient> clients) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < clients.size(); i++) {
            String answer;
            try {
                QuorumClient.Reply r = clients.get(i).digest();
                answer = r.status() == 200
                        ? r.json().get("digest").asText() + "/" + r.json().get("records").asLong()
                        : "error: HTTP " + r.status();
            } catch (RuntimeException e) {
                answer = "error: " + e.getMessage();
            }
            out.put(nodes.get(i), answer);
        }
        return out;
    }
}
