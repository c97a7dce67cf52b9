package dev.quorum.balancer;

import dev.quorum.agent.replication.Ring;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * How the balancer picks a backend among those available. The names are a contract shared with the
 * exported nginx/HAProxy configurations.
 */
public enum Strategy {
    /** In turn. */
    ROUND_ROBIN,
    /** In turn, each backend as often as its weight (smooth, as nginx does: no bursts). */
    WEIGHTED_ROUND_ROBIN,
    /** Fewest requests in flight (ties in turn). */
    LEAST_CONNECTIONS,
    /** Two at random, the one with fewer requests in flight. */
    POWER_OF_TWO_CHOICES,
    /** Lowest observed latency (moving average) times requests in flight plus one. */
    LEAST_TIME,
    /** The key's replicas in ring order (the agents' own ring): a replica of the key coordinates it, saving a hop. */
    CONSISTENT_HASH;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Strategy parse(String s) {
        for (Strategy v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + s + "'; expected one of "
                + Arrays.stream(values()).map(Strategy::wireName).collect(Collectors.joining(", ")));
    }

    /** Picks state shared by the strategies (the turn counter, the weighted counters, the ring). */
    static final class Picker {
        private final AtomicLong turn = new AtomicLong();
        private final Ring ring;
        /** Smooth weighted round robin: current weights, guarded by {@code this}. */
        private final java.util.Map<String, Integer> current = new java.util.HashMap<>();

        Picker(Ring ring) {
            this.ring = ring;
        }

        /**
         * @param candidates available backends, never empty
         * @param key the request's key, or null (listing)
         */
        Backend pick(Strategy s, List<Backend> candidates, String key) {
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            return switch (s) {
                case ROUND_ROBIN -> candidates.get((int) Math.floorMod(turn.getAndIncrement(), candidates.size()));
                case WEIGHTED_ROUND_ROBIN -> weighted(candidates);
                case LEAST_CONNECTIONS -> least(candidates);
                case POWER_OF_TWO_CHOICES -> twoChoices(candidates);
                case LEAST_TIME -> leastTime(candidates);
                case CONSISTENT_HASH -> key == null ? candidates.get((int) Math.floorMod(turn.getAndIncrement(),
                        candidates.size())) : byRing(candidates, key);
            };
        }

        private synchronized Backend weighted(List<Backend> candidates) {
            int total = 0;
            Backend best = null;
            int bestWeight = Integer.MIN_VALUE;
            for (Backend b : candidates) {
                int w = Math.max(1, b.weight());
                total += w;
                int cw = current.merge(b.id(), w, Integer::sum);
                if (cw > bestWeight) {
                    bestWeight = cw;
                    best = b;
                }
            }
            current.merge(best.id(), -total, Integer::sum);
            return best;
        }

        private Backend least(List<Backend> candidates) {
            int start = (int) Math.floorMod(turn.getAndIncrement(), candidates.size());
            Backend best = null;
            for (int i = 0; i < candidates.size(); i++) {
                Backend b = candidates.get((start + i) % candidates.size());
                if (best == null || b.inFlight() < best.inFlight()) {
                    best = b;
                }
            }
            return best;
        }

        private static Backend twoChoices(List<Backend> candidates) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int i = r.nextInt(candidates.size());
            int j = r.nextInt(candidates.size() - 1);
            if (j >= i) {
                j++;
            }
            Backend a = candidates.get(i);
            Backend b = candidates.get(j);
            return b.inFlight() < a.inFlight() ? b : a;
        }

        private Backend leastTime(List<Backend> candidates) {
            int start = (int) Math.floorMod(turn.getAndIncrement(), candidates.size());
            Backend best = null;
            double bestScore = Double.MAX_VALUE;
            for (int i = 0; i < candidates.size(); i++) {
                Backend b = candidates.get((start + i) % candidates.size());
                // A backend with no sample yet scores 0: it gets tried.
                double score = b.ewmaMillis() * (b.inFlight() + 1);
                if (score < bestScore) {
                    bestScore = score;
                    best = b;
                }
            }
            return best;
        }

        private Backend byRing(List<Backend> candidates, String key) {
            for (String id : ring.walk(key)) {
                for (Backend b : candidates) {
                    if (b.id().equals(id)) {
                        return b;
                    }
                }
            }
            return candidates.get(0);
        }
    }
}
