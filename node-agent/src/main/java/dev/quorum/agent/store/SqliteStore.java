package dev.quorum.agent.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The agent's SQLite store: records, hints and a small metadata table in {@code DATA_DIR/quorum.db}.
 *
 * <h2>Threads</h2>
 * One writer thread ({@code store-writer}) owns the only write connection. Writes are queued and
 * group-committed: the writer drains whatever is queued (up to {@value #MAX_GROUP} tasks), runs it in
 * one transaction and completes every task's future only after the commit returned. With
 * {@code synchronous=FULL} that is after the WAL was fsynced, so a completed future means the data is on
 * disk (see docs/decisions/0003-sqlite-durability.md). Reads use a small set of read-only connections
 * and never wait for the writer (WAL readers see the last committed state).
 *
 * <h2>Errors</h2>
 * Failures surface as {@link StoreException} with a {@link StoreException.Cause} the API can name.
 */
public final class SqliteStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    /** {@code PRAGMA application_id} of a Quorum data file ("QRM1"); anything else is refused. */
    static final int APPLICATION_ID = 0x51524D31;

    /** 1: kv, hints, meta. 2: adds the causal tables (causal_log, causal_applied, causal_stamps). */
    static final int SCHEMA_VERSION = 2;
    static final int MAX_GROUP = 512;
    private static final int READERS = 4;

    private final Path file;
    private final ToLongFunction<String> positionOf;
    private final Connection writeConn;
    private final WriteStatements ws;
    private final BlockingQueue<Reader> readers;
    private final BlockingQueue<WriteTask<?>> queue;
    private final Thread writer;
    private final StoreStats stats = new StoreStats();
    private volatile boolean closing;
    /** Set by the writer as it exits; a task queued after that is failed by whoever removes it first. */
    private volatile boolean writerDone;

    private SqliteStore(Path file, ToLongFunction<String> positionOf, int queueCapacity) throws SQLException {
        this.file = file;
        this.positionOf = positionOf;
        this.writeConn = openWriter(file);
        this.ws = new WriteStatements(writeConn);
        this.readers = new ArrayBlockingQueue<>(READERS);
        for (int i = 0; i < READERS; i++) {
            readers.add(new Reader(openReader(file)));
        }
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.writer = dev.quorum.common.Threads.named("store-writer").newThread(this::writeLoop);
        writer.start();
    }

    /**
     * Opens (creating if absent) the store in {@code dataDir}.
     *
     * @param positionOf ring position of a key, stored beside it so ranges can be scanned in ring order
     * @throws StoreException with cause CORRUPT for a damaged or foreign file: the agent must refuse to
     *     start rather than serve an empty store in its place
     */
    public static SqliteStore open(Path dataDir, ToLongFunction<String> positionOf) {
        return open(dataDir, positionOf, 100_000);
    }

    public static SqliteStore open(Path dataDir, ToLongFunction<String> positionOf, int queueCapacity) {
        Path file = dataDir.resolve("quorum.db");
        try {
            Files.createDirectories(dataDir);
            return new SqliteStore(file, positionOf, queueCapacity);
        } catch (SQLException e) {
            throw classify("cannot open " + file, e);
        } catch (java.io.IOException e) {
            throw new StoreException(StoreException.Cause.IO, "cannot create data directory " + dataDir + ": " + e, e);
        }
    }

    public Path file() {
        return file;
    }

    public StoreStats stats() {
        return stats;
    }

    // ---------------------------------------------------------------- connections and schema

    private static Connection openWriter(Path file) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        // FULL: every commit fsyncs the WAL, so an acknowledged write survives power loss, not only a
        // process crash. Group commit (one transaction per batch of queued writes) keeps it cheap.
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        // The writer is alone; a busy database means another process opened our file: wait, then fail.
        cfg.setBusyTimeout(5_000);
        // 8 MiB page cache for the writer (negative = KiB). Keeps the RSS budget of an agent small.
        cfg.setCacheSize(-8_192);
        // sqlite-jdbc otherwise runs "SELECT last_insert_rowid()" after every update (9% of a replica's CPU).
        cfg.setGetGeneratedKeys(false);
        cfg.setTempStore(SQLiteConfig.TempStore.MEMORY);
        Connection c = cfg.createConnection("jdbc:sqlite:" + file);
        try {
            checkOwnership(c, file);
            // WAL: readers never block the writer and vice versa; one writer is all we have anyway.
            // Set only once the file is known to be ours: journal_mode=WAL is written into the file itself.
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
            }
            migrate(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static Connection openReader(Path file) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setBusyTimeout(5_000);
        cfg.setCacheSize(-2_048);
        return cfg.createConnection("jdbc:sqlite:" + file);
    }

    /** Refuses a file that is not ours: never silently treat someone else's database as an empty store. */
    private static void checkOwnership(Connection c, Path file) throws SQLException {
        int appId = intPragma(c, "application_id");
        if (appId == APPLICATION_ID) {
            return;
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            rs.next();
            if (appId != 0 || rs.getInt(1) > 0) {
                throw new StoreException(StoreException.Cause.CORRUPT, file
                        + " is a SQLite database but not a Quorum data file (application_id=" + appId
                        + "); point --data-dir at an empty directory or at a Quorum agent's data directory");
            }
        }
    }

    private static void migrate(Connection c) throws SQLException {
        int version = intPragma(c, "user_version");
        if (version > SCHEMA_VERSION) {
            throw new StoreException(StoreException.Cause.CORRUPT, "data file has schema version " + version
                    + ", newer than this agent understands (" + SCHEMA_VERSION + "); use a newer agent");
        }
        if (version == SCHEMA_VERSION) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
            st.executeUpdate("""
                    CREATE TABLE IF NOT EXISTS kv (
                      key          TEXT PRIMARY KEY,
                      khash        INTEGER NOT NULL,  -- ring position of the key
                      hlc          INTEGER NOT NULL,  -- version: hybrid logical clock reading
                      node         TEXT NOT NULL,     -- version: issuing node
                      tombstone    INTEGER NOT NULL,
                      content_type TEXT,
                      value        BLOB
                    )""");
            st.executeUpdate("CREATE INDEX IF NOT EXISTS kv_khash ON kv(khash)");
            st.executeUpdate("""
                    CREATE TABLE IF NOT EXISTS hints (
                      target       TEXT NOT NULL,     -- the replica this write is meant for
                      key          TEXT NOT NULL,
                      hlc          INTEGER NOT NULL,
                      node         TEXT NOT NULL,
                      tombstone    INTEGER NOT NULL,
                      content_type TEXT,
                      value        BLOB,
                      created_ms   INTEGER NOT NULL,
                      PRIMARY KEY (target, key)
                    )""");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
            CausalStore.createTables(st);
            st.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
        }
    }

    private static int intPragma(Connection c, String pragma) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    // ---------------------------------------------------------------- writes

    /** Applies a record if it is newer than what this replica holds (last-writer-wins). */
    public CompletableFuture<ApplyResult> apply(Record r) {
        return submit(c -> ws.apply(r, positionOf.applyAsLong(r.key())));
    }

    /** Applies several records in one transaction; results in the same order. */
    public CompletableFuture<List<ApplyResult>> applyAll(List<Record> records) {
        long[] positions = records.stream().mapToLong(r -> positionOf.applyAsLong(r.key())).toArray();
        return submit(c -> {
            List<ApplyResult> out = new ArrayList<>(records.size());
            for (int i = 0; i < records.size(); i++) {
                out.add(ws.apply(records.get(i), positions[i]));
            }
            return out;
        });
    }

    /** Last-writer-wins apply inside a write task (the writer thread); for the causal tables' transactions. */
    ApplyResult applyInTask(Record r) throws SQLException {
        return ws.apply(r, positionOf.applyAsLong(r.key()));
    }

    private final CausalStore causal = new CausalStore(this);

    /** The causal model's tables: its write log, applied vector and per-key write stamps. */
    public CausalStore causal() {
        return causal;
    }

    /** Keeps a write for {@code target}; a newer hint for the same key replaces an older one. */
    public CompletableFuture<Void> storeHint(String target, Record r, long nowMillis) {
        return submit(c -> {
            ws.storeHint(target, r, nowMillis);
            return null;
        });
    }

    /** Deletes delivered hints, unless a newer hint for the key arrived meanwhile. */
    public CompletableFuture<Integer> deleteHints(String target, List<KeyVersion> delivered) {
        return submit(c -> {
            int n = 0;
            for (KeyVersion kv : delivered) {
                n += ws.deleteHint(target, kv);
            }
            return n;
        });
    }

    /** Drops hints for targets no longer in the cluster, or all hints for one target. */
    public CompletableFuture<Integer> dropHints(String target) {
        return submit(c -> ws.dropHints(target));
    }

    /** Removes tombstones whose version is older than the given clock reading; returns how many. */
    public CompletableFuture<Integer> purgeTombstones(long olderThanHlc) {
        return submit(c -> ws.purgeTombstones(olderThanHlc));
    }

    public CompletableFuture<Void> putMeta(String name, String value) {
        return submit(c -> {
            ws.putMeta(name, value);
            return null;
        });
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private record WriteTask<T>(Work<T> work, CompletableFuture<T> done) {}

    <T> CompletableFuture<T> submit(Work<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        WriteTask<T> task = new WriteTask<>(work, done);
        if (closing) {
            done.completeExceptionally(new StoreException(StoreException.Cause.CLOSED, "store is closing"));
        } else if (!queue.offer(task)) {
            done.completeExceptionally(new StoreException(StoreException.Cause.OVERLOADED,
                    "write queue full (" + queue.size() + " waiting); retry later"));
        } else if (writerDone && queue.remove(task)) {
            // Raced with close(): the writer is gone and close() may already have drained the queue.
            done.completeExceptionally(new StoreException(StoreException.Cause.CLOSED, "store closed"));
        }
        return done;
    }

    private void writeLoop() {
        List<WriteTask<?>> group = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                WriteTask<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        writerDone = true;
                        return;
                    }
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                runGroup(group);
            } catch (InterruptedException e) {
                writerDone = true;
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("store writer failed on a group of {} writes", group.size(), e);
                for (WriteTask<?> t : group) {
                    t.done().completeExceptionally(e);
                }
            } finally {
                group.clear();
            }
        }
    }

    private void runGroup(List<WriteTask<?>> group) {
        long start = System.nanoTime();
        Object[] results = new Object[group.size()];
        try {
            runInTransaction(group, results);
            stats.recordCommit(group.size(), System.nanoTime() - start);
            for (int i = 0; i < group.size(); i++) {
                complete(group.get(i), results[i]);
            }
        } catch (SQLException e) {
            if (group.size() == 1) {
                group.get(0).done().completeExceptionally(classify("write failed", e));
                return;
            }
            // One bad task must not fail the others: retry each in its own transaction.
            for (WriteTask<?> t : group) {
                Object[] one = new Object[1];
                try {
                    runInTransaction(List.of(t), one);
                    complete(t, one[0]);
                } catch (SQLException e1) {
                    t.done().completeExceptionally(classify("write failed", e1));
                }
            }
        }
    }

    private void runInTransaction(List<WriteTask<?>> group, Object[] results) throws SQLException {
        ws.begin.executeUpdate();
        try {
            for (int i = 0; i < group.size(); i++) {
                results[i] = group.get(i).work().run(writeConn);
            }
            ws.commit.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            try {
                ws.rollback.executeUpdate();
            } catch (SQLException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            if (e instanceof RuntimeException re && !(re instanceof StoreException)) {
                throw new SQLException("write task failed: " + re, re);
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(WriteTask<T> t, Object result) {
        t.done().complete((T) result);
    }

    /** Prepared statements of the write connection; used only on the writer thread. */
    private static final class WriteStatements {
        // Prepared once: preparing BEGIN and COMMIT for every group cost a replica 5% of its CPU.
        private final PreparedStatement begin;
        private final PreparedStatement commit;
        private final PreparedStatement rollback;
        private final PreparedStatement upsert;
        private final PreparedStatement current;
        private final PreparedStatement hintUpsert;
        private final PreparedStatement hintDelete;
        private final PreparedStatement hintDrop;
        private final PreparedStatement purge;
        private final PreparedStatement meta;

        WriteStatements(Connection c) throws SQLException {
            begin = c.prepareStatement("BEGIN IMMEDIATE");
            commit = c.prepareStatement("COMMIT");
            rollback = c.prepareStatement("ROLLBACK");
            upsert = c.prepareStatement("""
                    INSERT INTO kv(key, khash, hlc, node, tombstone, content_type, value) VALUES (?,?,?,?,?,?,?)
                    ON CONFLICT(key) DO UPDATE SET hlc = excluded.hlc, node = excluded.node,
                      tombstone = excluded.tombstone, content_type = excluded.content_type, value = excluded.value
                    WHERE excluded.hlc > kv.hlc OR (excluded.hlc = kv.hlc AND excluded.node > kv.node)""");
            current = c.prepareStatement("SELECT hlc, node FROM kv WHERE key = ?");
            hintUpsert = c.prepareStatement("""
                    INSERT INTO hints(target, key, hlc, node, tombstone, content_type, value, created_ms)
                    VALUES (?,?,?,?,?,?,?,?)
                    ON CONFLICT(target, key) DO UPDATE SET hlc = excluded.hlc, node = excluded.node,
                      tombstone = excluded.tombstone, content_type = excluded.content_type, value = excluded.value,
                      created_ms = excluded.created_ms
                    WHERE excluded.hlc > hints.hlc OR (excluded.hlc = hints.hlc AND excluded.node > hints.node)""");
            hintDelete = c.prepareStatement("DELETE FROM hints WHERE target = ? AND key = ? AND hlc = ? AND node = ?");
            hintDrop = c.prepareStatement("DELETE FROM hints WHERE target = ?");
            purge = c.prepareStatement("DELETE FROM kv WHERE tombstone = 1 AND hlc < ?");
            meta = c.prepareStatement("INSERT INTO meta(name, value) VALUES (?, ?) "
                    + "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
        }

        ApplyResult apply(Record r, long position) throws SQLException {
            upsert.setString(1, r.key());
            upsert.setLong(2, position);
            upsert.setLong(3, r.version().hlc());
            upsert.setString(4, r.version().node());
            upsert.setInt(5, r.tombstone() ? 1 : 0);
            upsert.setString(6, r.contentType());
            upsert.setBytes(7, r.value());
            if (upsert.executeUpdate() == 1) {
                return new ApplyResult(true, r.version());
            }
            current.setString(1, r.key());
            try (ResultSet rs = current.executeQuery()) {
                return new ApplyResult(false, rs.next() ? new Version(rs.getLong(1), rs.getString(2)) : r.version());
            }
        }

        void storeHint(String target, Record r, long now) throws SQLException {
            hintUpsert.setString(1, target);
            hintUpsert.setString(2, r.key());
            hintUpsert.setLong(3, r.version().hlc());
            hintUpsert.setString(4, r.version().node());
            hintUpsert.setInt(5, r.tombstone() ? 1 : 0);
            hintUpsert.setString(6, r.contentType());
            hintUpsert.setBytes(7, r.value());
            hintUpsert.setLong(8, now);
            hintUpsert.executeUpdate();
        }

        int deleteHint(String target, KeyVersion kv) throws SQLException {
            hintDelete.setString(1, target);
            hintDelete.setString(2, kv.key());
            hintDelete.setLong(3, kv.version().hlc());
            hintDelete.setString(4, kv.version().node());
            return hintDelete.executeUpdate();
        }

        int dropHints(String target) throws SQLException {
            hintDrop.setString(1, target);
            return hintDrop.executeUpdate();
        }

        int purgeTombstones(long olderThan) throws SQLException {
            purge.setLong(1, olderThan);
            return purge.executeUpdate();
        }

        void putMeta(String name, String value) throws SQLException {
            meta.setString(1, name);
            meta.setString(2, value);
            meta.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- reads

    /** Read-only connection with its prepared statements; borrowed by one thread at a time. */
    static final class Reader {
        final Connection conn;
        final PreparedStatement get;

        Reader(Connection conn) throws SQLException {
            this.conn = conn;
            this.get = conn.prepareStatement(
                    "SELECT hlc, node, tombstone, content_type, value FROM kv WHERE key = ?");
        }
    }

    @FunctionalInterface
    interface Read<T> {
        T run(Reader r) throws SQLException;
    }

    <T> T read(Read<T> work) {
        if (closing) {
            throw new StoreException(StoreException.Cause.CLOSED, "store is closing");
        }
        Reader r;
        try {
            r = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Cause.CLOSED, "interrupted while waiting for a read connection");
        }
        try {
            return work.run(r);
        } catch (SQLException e) {
            throw classify("read failed", e);
        } finally {
            readers.add(r);
        }
    }

    /** The record this replica holds for the key (including a tombstone), if any. */
    public Optional<Record> get(String key) {
        return read(r -> {
            r.get.setString(1, key);
            try (ResultSet rs = r.get.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Version v = new Version(rs.getLong(1), rs.getString(2));
                return Optional.of(rs.getInt(3) == 1
                        ? Record.tombstone(key, v)
                        : Record.value(key, bytesOrEmpty(rs.getBytes(5)), rs.getString(4), v));
            }
        });
    }

    private static byte[] bytesOrEmpty(byte[] b) {
        // sqlite-jdbc returns null for a zero-length BLOB.
        return b == null ? new byte[0] : b;
    }

    /**
     * Keys with the given prefix after {@code after} (exclusive), in {@link KeyOrder} order, tombstones
     * included (a merge across replicas needs them to hide keys deleted elsewhere).
     */
    public List<KeyVersion> list(String prefix, String after, int limit) {
        String start = after != null && KeyOrder.compare(after, prefix) >= 0 ? after : prefix;
        boolean exclusive = after != null && KeyOrder.compare(after, prefix) >= 0;
        return read(r -> {
            String sql = "SELECT key, hlc, node, tombstone FROM kv WHERE key " + (exclusive ? ">" : ">=")
                    + " ? ORDER BY key LIMIT ?";
            try (PreparedStatement ps = r.conn.prepareStatement(sql)) {
                ps.setString(1, start);
                ps.setInt(2, limit);
                List<KeyVersion> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String key = rs.getString(1);
                        if (!key.startsWith(prefix)) {
                            break; // sorted: nothing further can match
                        }
                        out.add(new KeyVersion(key, new Version(rs.getLong(2), rs.getString(3)), rs.getInt(4) == 1));
                    }
                }
                return out;
            }
        });
    }

    /** Streams (position, version) of every row in a ring range into a digest. */
    public RowDigest digest(long lo, long hi) {
        return read(r -> {
            try (PreparedStatement ps = r.conn.prepareStatement(
                    "SELECT khash, hlc, node, tombstone FROM kv WHERE khash BETWEEN ? AND ?")) {
                ps.setLong(1, lo);
                ps.setLong(2, hi);
                RowDigest d = new RowDigest();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        d.add(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4) == 1);
                    }
                }
                return d;
            }
        });
    }

    /** Keys and versions in a ring range (at most {@code limit}), for anti-entropy comparison. */
    public List<KeyVersion> entries(long lo, long hi, int limit) {
        return read(r -> {
            try (PreparedStatement ps = r.conn.prepareStatement(
                    "SELECT key, hlc, node, tombstone FROM kv WHERE khash BETWEEN ? AND ? LIMIT ?")) {
                ps.setLong(1, lo);
                ps.setLong(2, hi);
                ps.setInt(3, limit);
                List<KeyVersion> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new KeyVersion(rs.getString(1), new Version(rs.getLong(2), rs.getString(3)),
                                rs.getInt(4) == 1));
                    }
                }
                return out;
            }
        });
    }

    /** Up to {@code limit} hints for one target, oldest first. */
    public List<Hint> hintsFor(String target, int limit) {
        return read(r -> {
            try (PreparedStatement ps = r.conn.prepareStatement("SELECT key, hlc, node, tombstone, content_type, "
                    + "value, created_ms FROM hints WHERE target = ? ORDER BY created_ms LIMIT ?")) {
                ps.setString(1, target);
                ps.setInt(2, limit);
                List<Hint> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Version v = new Version(rs.getLong(2), rs.getString(3));
                        Record rec = rs.getInt(4) == 1
                                ? Record.tombstone(rs.getString(1), v)
                                : Record.value(rs.getString(1), bytesOrEmpty(rs.getBytes(6)), rs.getString(5), v);
                        out.add(new Hint(target, rec, rs.getLong(7)));
                    }
                }
                return out;
            }
        });
    }

    /** Pending hints per target. */
    public Map<String, Long> hintCounts() {
        return read(r -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (Statement st = r.conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT target, count(*) FROM hints GROUP BY target ORDER BY target")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /** Live keys (tombstones excluded) held by this replica. */
    public long keyCount() {
        return read(r -> {
            try (Statement st = r.conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM kv WHERE tombstone = 0")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Bytes of the database file and its WAL. */
    public long sizeBytes() {
        long size = 0;
        for (String suffix : new String[] {"", "-wal"}) {
            try {
                size += Files.size(Path.of(file + suffix));
            } catch (java.io.IOException ignored) {
                // The WAL may not exist between checkpoints.
            }
        }
        return size;
    }

    public Optional<String> meta(String name) {
        return read(r -> {
            try (PreparedStatement ps = r.conn.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Streams every record (for tests and tools); the consumer runs with a read connection held. */
    public void forEach(Consumer<KeyVersion> consumer) {
        read(r -> {
            try (Statement st = r.conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT key, hlc, node, tombstone FROM kv ORDER BY key")) {
                while (rs.next()) {
                    consumer.accept(new KeyVersion(rs.getString(1), new Version(rs.getLong(2), rs.getString(3)),
                            rs.getInt(4) == 1));
                }
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- lifecycle and errors

    /** Lets queued writes finish, stops the writer, checkpoints the WAL and closes every connection. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writerDone = true;
        List<WriteTask<?>> left = new ArrayList<>();
        queue.drainTo(left);
        for (WriteTask<?> t : left) {
            t.done().completeExceptionally(new StoreException(StoreException.Cause.CLOSED, "store closed"));
        }
        try (Statement st = writeConn.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            log.warn("WAL checkpoint at close failed: {}", e.getMessage());
        }
        List<Reader> all = new ArrayList<>();
        readers.drainTo(all);
        for (Reader r : all) {
            closeQuietly(r.conn);
        }
        closeQuietly(writeConn);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.warn("closing a SQLite connection failed: {}", e.getMessage());
        }
    }

    static StoreException classify(String what, SQLException e) {
        if (e.getCause() instanceof StoreException se) {
            return se;
        }
        SQLiteErrorCode code = e instanceof SQLiteException se ? se.getResultCode() : null;
        int primary = code == null ? e.getErrorCode() & 0xff : code.code & 0xff;
        StoreException.Cause cause = switch (primary) {
            case 13 -> StoreException.Cause.DISK_FULL; // SQLITE_FULL
            case 8 -> StoreException.Cause.READ_ONLY; // SQLITE_READONLY
            case 26, 11 -> StoreException.Cause.CORRUPT; // SQLITE_NOTADB, SQLITE_CORRUPT
            case 14 -> StoreException.Cause.READ_ONLY; // SQLITE_CANTOPEN: usually permissions
            default -> StoreException.Cause.IO;
        };
        String hint = switch (cause) {
            case DISK_FULL -> "the disk holding the data directory is full";
            case READ_ONLY -> "the data directory or database file is not writable";
            case CORRUPT -> "the database file is damaged or not a SQLite database";
            default -> "SQLite error";
        };
        return new StoreException(cause, what + ": " + hint + " (" + e.getMessage() + ")", e);
    }
}
