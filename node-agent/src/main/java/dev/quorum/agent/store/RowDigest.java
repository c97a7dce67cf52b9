package dev.quorum.agent.store;

/**
 * Order-independent digest of a set of (key, version) rows: the XOR of a 64-bit mix of each row,
 * plus the row count. Two replicas holding the same versions of the same keys in a range compute
 * the same digest; any difference shows with overwhelming probability.
 */
public final class RowDigest {
    private long xor;
    private long count;

    public void add(long keyHash, long hlc, String node, boolean tombstone) {
        long h = mix(keyHash ^ mix(hlc + 0x9E3779B97F4A7C15L) ^ mix(node.hashCode() * 0xC2B2AE3D27D4EB4FL));
        xor ^= tombstone ? mix(h) : h;
        count++;
    }

    public long value() {
        return xor;
    }

    public long count() {
        return count;
    }

    /** SplitMix64 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
