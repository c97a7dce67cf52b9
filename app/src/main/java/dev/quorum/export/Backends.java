package dev.quorum.export;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds backend lists from the operator's text: {@code URL} or {@code id=URL} entries, weights, flags. */
public final class Backends {
    private Backends() {}

    /**
     * One backend per entry, in order; an entry without {@code id=} gets {@code n<position>} (1-based),
     * so {@code http://a:1,http://b:2} are {@code n1} and {@code n2}.
     */
    public static List<Backend> parse(List<String> entries) {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("no backends: give at least one node URL");
        }
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i) == null ? "" : entries.get(i).strip();
            int eq = e.indexOf('=');
            int scheme = e.indexOf("://");
            boolean named = eq > 0 && (scheme < 0 || eq < scheme);
            String id = named ? e.substring(0, eq).strip() : "n" + (i + 1);
            String url = named ? e.substring(eq + 1) : e;
            out.add(Backend.of(id, url));
        }
        return out;
    }

    /**
     * Parses {@code id=weight} entries ({@code n1=2}) into a map.
     *
     * @throws IllegalArgumentException for a malformed entry, a weight that is not a number, or an id twice
     */
    public static Map<String, Integer> parseWeights(List<String> entries) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String entry : entries == null ? List.<String>of() : entries) {
            String e = entry.strip();
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new IllegalArgumentException("bad weight '" + entry + "': use id=weight, e.g. n1=2");
            }
            String id = e.substring(0, eq).strip();
            int w;
            try {
                w = Integer.parseInt(e.substring(eq + 1).strip());
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("bad weight '" + entry + "': the weight must be a whole number in "
                        + Backend.MIN_WEIGHT + ".." + Backend.MAX_WEIGHT);
            }
            if (weights.put(id, w) != null) {
                throw new IllegalArgumentException("weight of " + id + " given twice");
            }
        }
        return weights;
    }

    /**
     * The backends with the given weights, backup and drain flags applied.
     *
     * @throws IllegalArgumentException if a weight or flag names an id that is not a backend, or a weight
     *     is out of range
     */
    public static List<Backend> apply(List<Backend> backends, Map<String, Integer> weights,
            Collection<String> backup, Collection<String> drain) {
        Map<String, Backend> byId = new LinkedHashMap<>();
        backends.forEach(b -> byId.put(b.id(), b));
        checkKnown("weight", weights.keySet(), byId.keySet());
        checkKnown("backup", backup, byId.keySet());
        checkKnown("drain", drain, byId.keySet());
        List<Backend> out = new ArrayList<>();
        for (Backend b : backends) {
            Backend x = b;
            if (weights.containsKey(b.id())) {
                x = x.withWeight(weights.get(b.id()));
            }
            if (backup.contains(b.id())) {
                x = x.asBackup();
            }
            if (drain.contains(b.id())) {
                x = x.drained();
            }
            out.add(x);
        }
        return out;
    }

    private static void checkKnown(String what, Collection<String> ids, Set<String> known) {
        for (String id : ids) {
            if (!known.contains(id)) {
                throw new IllegalArgumentException(what + " names unknown node '" + id + "'; the nodes are "
                        + String.join(", ", known));
            }
        }
    }
}
