package dev.quorum.agent.fault;

import dev.quorum.agent.observe.AgentMetrics;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the active {@link FaultSet} to this agent's links. Outbound calls consult it through
 * {@link FaultInterceptor} (every call to a peer goes through OkHttp); inbound calls from peers
 * (recognised by their {@code X-Quorum-From} header) are checked by the HTTP server before any
 * handler runs. Enabled only with {@code --enable-faults}.
 */
public final class FaultInjector {
    private static final Logger log = LoggerFactory.getLogger("quorum.events");

    /** What to do with one call: delay it, and/or lose it (never answer / never send). */
    public record Decision(long delayMillis, boolean lost) {
        static final Decision PASS = new Decision(0, false);
        /** Not touched by faults (the fault endpoint itself must stay reachable). */
        public static final Decision PASS_THROUGH = PASS;
    }

    private final AtomicReference<FaultSet> current = new AtomicReference<>(FaultSet.NONE);
    private final AgentMetrics metrics;
    private final Random random;

    public FaultInjector(AgentMetrics metrics, long seed) {
        this.metrics = metrics;
        this.random = new Random(seed);
        metrics.registerFaultGauges(() -> current.get().rules().size(), () -> current.get().paused() ? 1 : 0);
    }

    public FaultSet current() {
        return current.get();
    }

    public boolean paused() {
        return current.get().paused();
    }

    /** Replaces the active faults; logs what changed. */
    public void set(FaultSet faults) {
        current.set(faults);
        log.atWarn().addKeyValue("event", faults.active() ? "faults_set" : "faults_cleared")
                .addKeyValue("rules", faults.rules().size()).addKeyValue("paused", faults.paused())
                .addKeyValue("faults", dev.quorum.agent.observe.Events.asMap(faults))
                .log(faults.active() ? "fault injection active: {} rules, paused={}" : "fault injection cleared",
                        faults.rules().size(), faults.paused());
    }

    /** For a call this agent makes to {@code peer}. */
    public Decision outbound(String peer) {
        return decide(peer, true);
    }

    /** For a call this agent receives from {@code peer} (null when the caller is not a peer). */
    public Decision inbound(String peer) {
        FaultSet f = current.get();
        if (f.paused()) {
            return count(new Decision(0, true), false);
        }
        return peer == null ? Decision.PASS : decide(peer, false);
    }

    private Decision decide(String peer, boolean outbound) {
        FaultSet f = current.get();
        if (f.paused() && outbound) {
            return count(new Decision(0, true), true);
        }
        if (f.rules().isEmpty()) {
            return Decision.PASS;
        }
        long delay = 0;
        boolean lost = false;
        for (FaultRule r : f.rules()) {
            if (!r.applies(peer, outbound)) {
                continue;
            }
            switch (r.type()) {
                case "partition" -> lost = true;
                case "drop" -> lost |= nextDouble() < r.probability();
                case "latency" -> delay += sample(r);
                default -> { }
            }
        }
        return count(new Decision(delay, lost), outbound);
    }

    private Decision count(Decision d, boolean outbound) {
        if (d.lost()) {
            metrics.faultDrops.labelValues(outbound ? "outbound" : "inbound").inc();
        } else if (d.delayMillis() > 0) {
            metrics.faultDelay.labelValues(outbound ? "outbound" : "inbound").inc(d.delayMillis() / 1000.0);
        }
        return d;
    }

    private long sample(FaultRule r) {
        String dist = r.distribution() == null ? "constant" : r.distribution();
        return switch (dist) {
            case "uniform" -> Math.round(r.minMs() + nextDouble() * (r.maxMs() - r.minMs()));
            case "exponential" -> Math.round(-r.ms() * Math.log(1 - nextDouble()));
            default -> Math.round(r.ms());
        };
    }

    private synchronized double nextDouble() {
        return random.nextDouble();
    }
}
