package dev.quorum.agent.store;

import dev.quorum.agent.consistency.VectorClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The causal model's durable state, in the agent's SQLite file beside {@code kv}:
 * <ul>
 *   <li>{@code causal_log}: the causal writes this node coordinated, with their dependencies, until
 *       every peer has applied them (the shipper sends from here, also after a restart);</li>
 *   <li>{@code causal_applied}: per origin node, the highest sequence number applied here — the
 *       replica's vector clock;</li>
 *   <li>{@code causal_stamps}: per key, which causal write (origin, seq) the stored value came from, so
 *       a read can hand the session exactly that dependency.</li>
 * </ul>
 * A causal write changes {@code kv}, {@code causal_applied} and (for own writes) {@code causal_log}
 * in one transaction: after a crash the vector never claims a write the data does not hold.
 */
public final class CausalStore {
    /** One logged write of this node. */
    public record Logged(long seq, VectorClock deps, Record record) {}

    /** Which causal write produced a key's stored value. */
    public record Stamp(String origin, long seq) {}

    private final SqliteStore store;
    /** Writer-thread statements, prepared on first use. */
    private PreparedStatement logInsert;
    private PreparedStatement appliedUpsert;
    private PreparedStatement stampUpsert;
    private PreparedStatement truncate;
    private PreparedStatement appliedSelect;

    CausalStore(SqliteStore store) {
        this.store = store;
    }

    /** The store these tables live in (for the value reads that go with a stamp). */
    public SqliteStore store() {
        return store;
    }

    static void createTables(Statement st) throws SQLException {
        st.executeUpdate("""
                CREATE TABLE IF NOT EXISTS causal_log (
                  seq          INTEGER PRIMARY KEY,  -- this node's causal write counter
                  deps         TEXT NOT NULL,        -- the session's vector when the write was made
                  key          TEXT NOT NULL,
                  hlc          INTEGER NOT NULL,
                  node         TEXT NOT NULL,
                  tombstone    INTEGER NOT NULL,
                  content_type TEXT,
                  value        BLOB
                )""");
        st.executeUpdate("CREATE TABLE IF NOT EXISTS causal_applied (origin TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
        st.executeUpdate("""
                CREATE TABLE IF NOT EXISTS causal_stamps (
                  key    TEXT PRIMARY KEY,
                  origin TEXT NOT NULL,
                  seq    INTEGER NOT NULL
                )""");
    }

    /** The outcome of a write this node coordinated: its sequence number and the last-writer-wins result. */
    public record Own(long seq, ApplyResult result) {}

    /**
     * Applies a causal write this node coordinates: the next sequence number (read inside the
     * transaction, so a rolled-back write uses none), last-writer-wins into {@code kv}, the applied
     * vector raised, and the write logged with its dependencies for shipping. One transaction.
     */
    public CompletableFuture<Own> applyOwn(Record r, String self, VectorClock deps) {
        return store.submit(c -> {
            prepare(c);
            long seq = appliedSeq(self) + 1;
            ApplyResult res = applyAndRaise(r, self, seq);
            logInsert.setLong(1, seq);
            logInsert.setString(2, deps.text());
            logInsert.setString(3, r.key());
            logInsert.setLong(4, r.version().hlc());
            logInsert.setString(5, r.version().node());
            logInsert.setInt(6, r.tombstone() ? 1 : 0);
            logInsert.setString(7, r.contentType());
            logInsert.setBytes(8, r.value());
            logInsert.executeUpdate();
            return new Own(seq, res);
        });
    }

    /**
     * Applies write {@code seq} of another origin. The transaction re-checks the apply rule against
     * what is committed — the previous write of that origin and every dependency applied — and
     * changes nothing otherwise (the future then holds {@code null}), so the applied vector can never
     * claim a write the data lacks. Not an exception: the writes grouped with it must still commit.
     */
    public CompletableFuture<ApplyResult> applyShipped(Record r, String origin, long seq, VectorClock deps) {
        return store.submit(c -> {
            prepare(c);
            long have = appliedSeq(origin);
            if (have != seq - 1) {
                return null;
            }
            for (Map.Entry<String, Long> d : deps.toMap().entrySet()) {
                if (!d.getKey().equals(origin) && appliedSeq(d.getKey()) < d.getValue()) {
                    return null;
                }
            }
            return applyAndRaise(r, origin, seq);
        });
    }

    private ApplyResult applyAndRaise(Record r, String origin, long seq) throws SQLException {
        ApplyResult res = store.applyInTask(r);
        if (res.applied()) {
            stampUpsert.setString(1, r.key());
            stampUpsert.setString(2, origin);
            stampUpsert.setLong(3, seq);
            stampUpsert.executeUpdate();
        }
        appliedUpsert.setString(1, origin);
        appliedUpsert.setLong(2, seq);
        appliedUpsert.executeUpdate();
        return res;
    }

    private long appliedSeq(String origin) throws SQLException {
        appliedSelect.setString(1, origin);
        try (ResultSet rs = appliedSelect.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Marks {@code origin}'s writes up to {@code seq} as applied without applying them one by one:
     * after a snapshot of the origin's data was copied here.
     */
    public CompletableFuture<Void> skipTo(String origin, long seq) {
        return store.submit(c -> {
            prepare(c);
            appliedUpsert.setString(1, origin);
            appliedUpsert.setLong(2, seq);
            appliedUpsert.executeUpdate();
            return null;
        });
    }

    /** Forgets logged writes every peer has applied. */
    public CompletableFuture<Integer> truncate(long upToSeq) {
        return store.submit(c -> {
            prepare(c);
            truncate.setLong(1, upToSeq);
            return truncate.executeUpdate();
        });
    }

    private void prepare(Connection c) throws SQLException {
        if (logInsert != null) {
            return;
        }
        logInsert = c.prepareStatement("INSERT INTO causal_log(seq, deps, key, hlc, node, tombstone, content_type, value)"
                + " VALUES (?,?,?,?,?,?,?,?)");
        appliedUpsert = c.prepareStatement("INSERT INTO causal_applied(origin, seq) VALUES (?, ?)"
                + " ON CONFLICT(origin) DO UPDATE SET seq = max(seq, excluded.seq)");
        stampUpsert = c.prepareStatement("INSERT INTO causal_stamps(key, origin, seq) VALUES (?,?,?)"
                + " ON CONFLICT(key) DO UPDATE SET origin = excluded.origin, seq = excluded.seq");
        truncate = c.prepareStatement("DELETE FROM causal_log WHERE seq <= ?");
        appliedSelect = c.prepareStatement("SELECT seq FROM causal_applied WHERE origin = ?");
    }

    /** The applied vector as stored (what survived the last crash). */
    public VectorClock applied() {
        return store.read(r -> {
            Map<String, Long> m = new HashMap<>();
            try (Statement st = r.conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT origin, seq FROM causal_applied")) {
                while (rs.next()) {
                    m.put(rs.getString(1), rs.getLong(2));
                }
            }
            return VectorClock.of(m);
        });
    }

    /** Logged writes after {@code afterSeq}, in sequence order. */
    public List<Logged> log(long afterSeq, int limit) {
        return store.read(r -> {
            try (PreparedStatement ps = r.conn.prepareStatement("SELECT seq, deps, key, hlc, node, tombstone,"
                    + " content_type, value FROM causal_log WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, limit);
                List<Logged> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Version v = new Version(rs.getLong(4), rs.getString(5));
                        String key = rs.getString(3);
                        byte[] value = rs.getBytes(8);
                        Record rec = rs.getInt(6) == 1 ? Record.tombstone(key, v)
                                : Record.value(key, value == null ? new byte[0] : value, rs.getString(7), v);
                        out.add(new Logged(rs.getLong(1), VectorClock.parseText(rs.getString(2)), rec));
                    }
                }
                return out;
            }
        });
    }

    /** The oldest logged sequence number still kept, or empty when the log is empty. */
    public Optional<Long> firstLogged() {
        return store.read(r -> {
            try (Statement st = r.conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT min(seq) FROM causal_log")) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? Optional.<Long>empty() : Optional.of(v);
            }
        });
    }

    /** Which causal write the key's stored value came from, if any. */
    public Optional<Stamp> stamp(String key) {
        return store.read(r -> {
            try (PreparedStatement ps = r.conn.prepareStatement("SELECT origin, seq FROM causal_stamps WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Stamp(rs.getString(1), rs.getLong(2))) : Optional.<Stamp>empty();
                }
            }
        });
    }
}
