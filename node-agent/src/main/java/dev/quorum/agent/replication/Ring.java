package dev.quorum.agent.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consistent-hash ring with virtual nodes over a static node list. Immutable; every agent builds
 * the same ring from the same peer list, so any agent can coordinate any key.
 *
 * <p>Positions are the first 8 bytes of the MD5 of the UTF-8 bytes, read as a signed long. A key
 * belongs to the arc of the first token at or after its position (wrapping), and its preference
 * list is the first N distinct nodes met walking clockwise from that token.
 */
public final class Ring {
    public static final int DEFAULT_VNODES = 64;

    private final List<String> nodes;
    private final long[] tokens;
    private final int[] owners;
    private final Map<Integer, int[][]> preferenceByN = new ConcurrentHashMap<>();

    public Ring(List<String> nodeIds, int vnodesPerNode) {
        if (nodeIds.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one node");
        }
        if (vnodesPerNode < 1) {
            throw new IllegalArgumentException("vnodes per node must be >= 1");
        }
        this.nodes = nodeIds.stream().sorted().distinct().toList();
        if (nodes.size() != nodeIds.size()) {
            throw new IllegalArgumentException("duplicate node id in " + nodeIds);
        }
        int count = nodes.size() * vnodesPerNode;
        long[][] pairs = new long[count][];
        int i = 0;
        for (int n = 0; n < nodes.size(); n++) {
            for (int v = 0; v < vnodesPerNode; v++) {
                pairs[i++] = new long[] {hash(nodes.get(n) + "#" + v), n};
            }
        }
        Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        tokens = new long[count];
        owners = new int[count];
        for (int k = 0; k < count; k++) {
            tokens[k] = pairs[k][0];
            owners[k] = (int) pairs[k][1];
        }
    }

    public List<String> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    /** The ring position of a key. */
    public static long hash(String key) {
        return hash(key.getBytes(StandardCharsets.UTF_8));
    }

    public static long hash(byte[] bytes) {
        return ByteBuffer.wrap(md5().digest(bytes)).getLong();
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships MD5", e);
        }
    });

    private static MessageDigest md5() {
        MessageDigest d = MD5.get();
        d.reset();
        return d;
    }

    /** The first {@code n} distinct nodes responsible for the key, primary first. */
    public List<String> preferenceList(String key, int n) {
        return preferenceListAt(hash(key), n);
    }

    public List<String> preferenceListAt(long position, int n) {
        int[] pref = preferences(n)[arcIndex(position)];
        List<String> out = new ArrayList<>(pref.length);
        for (int idx : pref) {
            out.add(nodes.get(idx));
        }
        return out;
    }

    /** Every node in clockwise order from the key's position: the preference list, then the stand-ins. */
    public List<String> walk(String key) {
        return preferenceListAt(hash(key), nodes.size());
    }

    /** Index of the arc (= of its closing token) a position falls in. */
    int arcIndex(long position) {
        int i = Arrays.binarySearch(tokens, position);
        if (i < 0) {
            i = -i - 1;
        }
        return i == tokens.length ? 0 : i;
    }

    private int[][] preferences(int n) {
        if (n < 1 || n > nodes.size()) {
            throw new IllegalArgumentException("N must be between 1 and " + nodes.size() + ", got " + n);
        }
        return preferenceByN.computeIfAbsent(n, this::computePreferences);
    }

    private int[][] computePreferences(int n) {
        int[][] out = new int[tokens.length][];
        for (int arc = 0; arc < tokens.length; arc++) {
            var seen = new LinkedHashSet<Integer>();
            for (int k = 0; seen.size() < n; k++) {
                seen.add(owners[(arc + k) % tokens.length]);
            }
            out[arc] = seen.stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /**
     * The ranges of positions whose preference list (for this N) contains every given node —
     * what two replicas must agree on in anti-entropy. Adjacent arcs are merged.
     */
    public List<KeyRange> rangesReplicatedOn(int n, String... nodeIds) {
        int[] wanted = Arrays.stream(nodeIds).mapToInt(nodes::indexOf).toArray();
        for (int w = 0; w < wanted.length; w++) {
            if (wanted[w] < 0) {
                throw new IllegalArgumentException("unknown node " + nodeIds[w]);
            }
        }
        int[][] pref = preferences(n);
        List<KeyRange> out = new ArrayList<>();
        for (int arc = 0; arc < tokens.length; arc++) {
            if (!containsAll(pref[arc], wanted)) {
                continue;
            }
            if (arc == 0) {
                // Arc 0 wraps: (last token, MAX] and [MIN, first token].
                if (tokens[tokens.length - 1] != Long.MAX_VALUE) {
                    out.add(new KeyRange(tokens[tokens.length - 1] + 1, Long.MAX_VALUE));
                }
                out.add(new KeyRange(Long.MIN_VALUE, tokens[0]));
            } else if (tokens[arc] != tokens[arc - 1]) {
                out.add(new KeyRange(tokens[arc - 1] + 1, tokens[arc]));
            }
        }
        out.sort((a, b) -> Long.compare(a.lo(), b.lo()));
        List<KeyRange> merged = new ArrayList<>();
        for (KeyRange r : out) {
            KeyRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.hi() != Long.MAX_VALUE && last.hi() + 1 == r.lo()) {
                merged.set(merged.size() - 1, new KeyRange(last.lo(), r.hi()));
            } else {
                merged.add(r);
            }
        }
        return merged;
    }

    /** Whether every arc's preference list (for this N) contains at least one of the given nodes. */
    public boolean everyRangeHasOneOf(java.util.Set<String> nodeIds, int n) {
        for (int[] pref : preferences(n)) {
            boolean any = false;
            for (int idx : pref) {
                if (nodeIds.contains(nodes.get(idx))) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsAll(int[] pref, int[] wanted) {
        for (int w : wanted) {
            boolean found = false;
            for (int p : pref) {
                if (p == w) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }
}
