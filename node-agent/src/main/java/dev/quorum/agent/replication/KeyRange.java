package dev.quorum.agent.replication;

/** An inclusive range of ring positions (signed 64-bit key hashes), {@code lo <= hi}. */
public record KeyRange(long lo, long hi) {

    public KeyRange {
        if (lo > hi) {
            throw new IllegalArgumentException("empty range " + lo + ".." + hi);
        }
    }

    public static final KeyRange ALL = new KeyRange(Long.MIN_VALUE, Long.MAX_VALUE);

    public boolean contains(long hash) {
        return hash >= lo && hash <= hi;
    }

    /** Splits into at most {@code parts} contiguous sub-ranges of near-equal width. */
    public java.util.List<KeyRange> split(int parts) {
        var out = new java.util.ArrayList<KeyRange>(parts);
        // Width computed in unsigned arithmetic: hi - lo may exceed Long.MAX_VALUE.
        long width = hi - lo; // unsigned
        long step = Long.divideUnsigned(width, parts);
        if (step == 0) {
            out.add(this);
            return out;
        }
        long start = lo;
        for (int i = 0; i < parts; i++) {
            long end = i == parts - 1 ? hi : start + step - 1;
            out.add(new KeyRange(start, end));
            if (end == hi) {
                break;
            }
            start = end + 1;
        }
        return out;
    }
}
