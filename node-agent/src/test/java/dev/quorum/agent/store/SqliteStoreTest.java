package dev.quorum.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quorum.agent.replication.KeyRange;
import dev.quorum.agent.replication.Ring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    @TempDir
    Path tmp;

    private final List<SqliteStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(SqliteStore::close);
    }

    private SqliteStore open(String name) {
        SqliteStore store = SqliteStore.open(tmp.resolve(name), Ring::hash);
        opened.add(store);
        return store;
    }

    private static Version v(long hlc, String node) {
        return new Version(hlc, node);
    }

    private static Record value(String key, String text, Version version) {
        return Record.value(key, text.getBytes(StandardCharsets.UTF_8), "text/plain", version);
    }

    private static String text(Record r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private static ApplyResult apply(SqliteStore store, Record r) {
        return store.apply(r).join();
    }

    private static StoreException failure(CompletableFuture<?> f) {
        Throwable t = catchThrowable(f::join);
        assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreException.class);
        return (StoreException) t.getCause();
    }

    private static List<String> keys(List<KeyVersion> rows) {
        return rows.stream().map(KeyVersion::key).toList();
    }

    // ---------------------------------------------------------------- last-writer-wins

    @Test
    void applyIsLastWriterWins() {
        SqliteStore store = open("s");

        assertThat(apply(store, value("k", "A", v(10, "n1")))).isEqualTo(new ApplyResult(true, v(10, "n1")));
        assertThat(apply(store, value("k", "older", v(5, "n9"))))
                .as("an older version is not applied; the current one is returned")
                .isEqualTo(new ApplyResult(false, v(10, "n1")));
        assertThat(text(store.get("k").orElseThrow())).isEqualTo("A");

        assertThat(apply(store, value("k", "tie-low", v(10, "n0")))).isEqualTo(new ApplyResult(false, v(10, "n1")));
        assertThat(apply(store, value("k", "tie-high", v(10, "n2")))).isEqualTo(new ApplyResult(true, v(10, "n2")));
        assertThat(apply(store, value("k", "same again", v(10, "n2"))))
                .as("the same version twice is applied once").isEqualTo(new ApplyResult(false, v(10, "n2")));

        Record stored = store.get("k").orElseThrow();
        assertThat(text(stored)).isEqualTo("tie-high");
        assertThat(stored.version()).isEqualTo(v(10, "n2"));
        assertThat(stored.contentType()).isEqualTo("text/plain");
        assertThat(stored.tombstone()).isFalse();
        assertThat(store.get("other")).isEmpty();
    }

    @Test
    void theNewestVersionWinsWhateverTheArrivalOrder() {
        long seed = 424242L;
        Random random = new Random(seed);
        String[] nodes = {"n1", "n2", "n10", "N1", "a.b", "z_9"};
        List<Record> writes = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            for (int i = 0; i < 8; i++) {
                Version version = v(random.nextInt(6), nodes[random.nextInt(nodes.length)]);
                writes.add(random.nextInt(5) == 0
                        ? Record.tombstone("key" + k, version)
                        : value("key" + k, version.toString(), version));
            }
        }
        Collections.shuffle(writes, random);
        SqliteStore store = open("s");

        List<ApplyResult> results = new ArrayList<>(store.applyAll(writes.subList(0, 120)).join());
        for (Record r : writes.subList(120, writes.size())) {
            results.add(apply(store, r));
        }

        Map<String, Version> newest = new HashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            Record r = writes.get(i);
            Version before = newest.get(r.key());
            boolean shouldApply = r.version().isNewerThan(before);
            if (shouldApply) {
                newest.put(r.key(), r.version());
            }
            assertThat(results.get(i))
                    .as("seed %d: write %d %s over %s", seed, i, r, before)
                    .isEqualTo(new ApplyResult(shouldApply, newest.get(r.key())));
        }
        for (Map.Entry<String, Version> e : newest.entrySet()) {
            Record stored = store.get(e.getKey()).orElseThrow();
            assertThat(stored.version()).as("seed %d key %s", seed, e.getKey()).isEqualTo(e.getValue());
            if (!stored.tombstone()) {
                assertThat(text(stored)).as("seed %d key %s", seed, e.getKey()).isEqualTo(e.getValue().toString());
            }
        }
    }

    @Test
    void aTombstoneReplacesTheValueAndIsReturnedByGet() {
        SqliteStore store = open("s");
        apply(store, value("k", "A", v(10, "n1")));
        apply(store, value("other", "B", v(10, "n1")));
        assertThat(store.keyCount()).isEqualTo(2);

        assertThat(apply(store, Record.tombstone("k", v(11, "n1")))).isEqualTo(new ApplyResult(true, v(11, "n1")));

        Record stored = store.get("k").orElseThrow();
        assertThat(stored.tombstone()).isTrue();
        assertThat(stored.value()).isNull();
        assertThat(stored.contentType()).isNull();
        assertThat(stored.version()).isEqualTo(v(11, "n1"));
        assertThat(store.keyCount()).as("tombstones are not live keys").isEqualTo(1);
        assertThat(apply(store, value("k", "late", v(10, "n9")))).as("an older value does not resurrect the key")
                .isEqualTo(new ApplyResult(false, v(11, "n1")));
        assertThat(store.get("k").orElseThrow().tombstone()).isTrue();

        assertThat(apply(store, value("k", "again", v(12, "n1"))).applied()).isTrue();
        assertThat(text(store.get("k").orElseThrow())).isEqualTo("again");
    }

    @Test
    void aTombstoneForAnUnknownKeyIsKept() {
        SqliteStore store = open("s");

        assertThat(apply(store, Record.tombstone("never-written", v(3, "n2"))).applied()).isTrue();

        assertThat(store.get("never-written")).contains(Record.tombstone("never-written", v(3, "n2")));
    }

    @Test
    void zeroLengthValuesRoundTripAsEmptyArrays() {
        SqliteStore store = open("s");
        Record empty = Record.value("empty", new byte[0], "application/octet-stream", v(1, "n1"));

        apply(store, empty);
        store.storeHint("n2", empty, 1_000).join();

        Record stored = store.get("empty").orElseThrow();
        assertThat(stored.tombstone()).isFalse();
        assertThat(stored.value()).isNotNull().isEmpty();
        assertThat(stored).isEqualTo(empty);
        Record hinted = store.hintsFor("n2", 10).get(0).record();
        assertThat(hinted.tombstone()).isFalse();
        assertThat(hinted.value()).isNotNull().isEmpty();
        assertThat(store.keyCount()).isEqualTo(1);
    }

    @Test
    void valuesKeepTheirBytesAndContentType() {
        long seed = 99L;
        byte[] bytes = new byte[70_000];
        new Random(seed).nextBytes(bytes);
        SqliteStore store = open("s");

        apply(store, Record.value("blob", bytes, "application/x-test; charset=binary", v(1, "n1")));
        apply(store, Record.value("no-type", new byte[] {0, 1, 2}, null, v(1, "n1")));

        Record stored = store.get("blob").orElseThrow();
        assertThat(stored.value()).as("seed %d", seed).isEqualTo(bytes);
        assertThat(stored.contentType()).isEqualTo("application/x-test; charset=binary");
        assertThat(store.get("no-type").orElseThrow().contentType()).isNull();
    }

    // ---------------------------------------------------------------- listing

    @Test
    void listReturnsPrefixedKeysInUtf8OrderWithTombstones() {
        SqliteStore store = open("s");
        List<Record> records = new ArrayList<>();
        for (String key : List.of("p/\ud83d\ude00", "q", "p/b", "p/\uffff", "o", "p/ab", "p", "p/\u00e9", "p/a")) {
            records.add(value(key, key, v(key.length(), "n1")));
        }
        store.applyAll(records).join();
        apply(store, Record.tombstone("p/b", v(100, "n2")));

        List<KeyVersion> listed = store.list("p/", null, 100);

        // UTF-8 order: U+00E9 (C3 A9) < U+FFFF (EF BF BF) < U+1F600 (F0 9F 98 80); UTF-16 order would differ.
        assertThat(keys(listed)).containsExactly("p/a", "p/ab", "p/b", "p/\u00e9", "p/\uffff", "p/\ud83d\ude00");
        assertThat(listed.get(2)).isEqualTo(new KeyVersion("p/b", v(100, "n2"), true));
        assertThat(listed.get(0)).isEqualTo(new KeyVersion("p/a", v(3, "n1"), false));
        assertThat(keys(store.list("", null, 100)))
                .containsExactly("o", "p", "p/a", "p/ab", "p/b", "p/\u00e9", "p/\uffff", "p/\ud83d\ude00", "q");
    }

    @Test
    void listHonoursAfterAndLimit() {
        SqliteStore store = open("s");
        List<Record> records = new ArrayList<>();
        for (String key : List.of("o", "p/a", "p/ab", "p/b", "p/\u00e9", "p/\uffff", "p/\ud83d\ude00", "q")) {
            records.add(value(key, key, v(1, "n1")));
        }
        store.applyAll(records).join();

        assertThat(keys(store.list("p/", "p/ab", 100))).as("after is exclusive")
                .containsExactly("p/b", "p/\u00e9", "p/\uffff", "p/\ud83d\ude00");
        assertThat(keys(store.list("p/", "p/aa", 100))).as("after need not exist")
                .containsExactly("p/ab", "p/b", "p/\u00e9", "p/\uffff", "p/\ud83d\ude00");
        assertThat(keys(store.list("p/", "p/\uffff", 100))).containsExactly("p/\ud83d\ude00");
        assertThat(keys(store.list("p/", "a", 100))).as("after before the prefix").hasSize(6);
        assertThat(store.list("p/", "p/\ud83d\ude00", 100)).isEmpty();
        assertThat(store.list("p/", "z", 100)).isEmpty();
        assertThat(store.list("nothing", null, 100)).isEmpty();
        assertThat(keys(store.list("p/", null, 2))).containsExactly("p/a", "p/ab");
        assertThat(keys(store.list("", null, 3))).containsExactly("o", "p/a", "p/ab");

        List<String> paged = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            List<KeyVersion> rows = store.list("p/", after, 4);
            paged.addAll(keys(rows));
            if (rows.size() < 4) {
                break;
            }
            after = rows.get(rows.size() - 1).key();
        }
        assertThat(paged).containsExactly("p/a", "p/ab", "p/b", "p/\u00e9", "p/\uffff", "p/\ud83d\ude00");
    }

    @Test
    void listWithASupplementaryPrefix() {
        SqliteStore store = open("s");
        store.applyAll(List.of(value("x\ud83d\ude002", "", v(1, "n1")), value("x\uffff", "", v(1, "n1")),
                value("x\ud83d\ude001", "", v(1, "n1")), value("x\ud83d\ude01", "", v(1, "n1")))).join();

        assertThat(keys(store.list("x\ud83d\ude00", null, 10))).containsExactly("x\ud83d\ude001", "x\ud83d\ude002");
    }

    // ---------------------------------------------------------------- hints

    @Test
    void storeHintKeepsOnlyTheNewestPerTargetAndKey() {
        SqliteStore store = open("s");

        store.storeHint("n2", value("k1", "v10", v(10, "n1")), 1_000).join();
        store.storeHint("n2", value("k1", "v12", v(12, "n1")), 2_000).join();
        store.storeHint("n2", value("k1", "v11", v(11, "n1")), 3_000).join();
        store.storeHint("n2", Record.tombstone("k2", v(5, "n1")), 500).join();
        store.storeHint("n3", value("k1", "v10", v(10, "n1")), 1_500).join();

        assertThat(store.hintCounts()).containsExactly(Map.entry("n2", 2L), Map.entry("n3", 1L));
        List<Hint> forN2 = store.hintsFor("n2", 10);
        assertThat(forN2).as("oldest first").containsExactly(
                new Hint("n2", Record.tombstone("k2", v(5, "n1")), 500),
                new Hint("n2", value("k1", "v12", v(12, "n1")), 2_000));
        assertThat(store.hintsFor("n2", 1)).containsExactly(forN2.get(0));
        assertThat(store.hintsFor("n3", 10)).containsExactly(new Hint("n3", value("k1", "v10", v(10, "n1")), 1_500));
        assertThat(store.hintsFor("n4", 10)).isEmpty();
        assertThat(store.get("k1")).as("hints are not records of this replica").isEmpty();
    }

    @Test
    void deleteHintsRemovesOnlyTheDeliveredVersions() {
        SqliteStore store = open("s");
        store.storeHint("n2", value("k1", "v12", v(12, "n1")), 2_000).join();
        store.storeHint("n2", Record.tombstone("k2", v(5, "n1")), 500).join();
        store.storeHint("n3", value("k1", "v12", v(12, "n1")), 2_000).join();

        assertThat(store.deleteHints("n2", List.of(new KeyVersion("k1", v(10, "n1"), false))).join())
                .as("not the version held").isZero();
        assertThat(store.deleteHints("n2",
                List.of(new KeyVersion("k1", v(12, "n1"), false), new KeyVersion("k2", v(5, "n1"), true))).join())
                .isEqualTo(2);

        assertThat(store.hintCounts()).containsExactly(Map.entry("n3", 1L));
    }

    @Test
    void deleteHintsKeepsAHintReplacedByANewerOneMeanwhile() {
        SqliteStore store = open("s");
        store.storeHint("n2", value("k", "first", v(10, "n1")), 1_000).join();
        List<Hint> delivering = store.hintsFor("n2", 10);

        store.storeHint("n2", value("k", "second", v(11, "n1")), 1_100).join();
        int deleted = store.deleteHints("n2", delivering.stream().map(h -> h.record().keyVersion()).toList()).join();

        assertThat(deleted).isZero();
        assertThat(store.hintsFor("n2", 10)).containsExactly(new Hint("n2", value("k", "second", v(11, "n1")), 1_100));
    }

    @Test
    void dropHintsForgetsOneTarget() {
        SqliteStore store = open("s");
        store.storeHint("n2", value("a", "x", v(1, "n1")), 1).join();
        store.storeHint("n2", value("b", "x", v(1, "n1")), 2).join();
        store.storeHint("n3", value("a", "x", v(1, "n1")), 3).join();

        assertThat(store.dropHints("n2").join()).isEqualTo(2);

        assertThat(store.hintCounts()).containsExactly(Map.entry("n3", 1L));
    }

    // ---------------------------------------------------------------- tombstone purge

    @Test
    void purgeTombstonesRemovesOnlyTombstonesOlderThanTheGivenReading() {
        SqliteStore store = open("s");
        store.applyAll(List.of(Record.tombstone("old", v(100, "n1")), Record.tombstone("new", v(200, "n1")),
                value("ancient-value", "keep me", v(50, "n1")))).join();

        assertThat(store.purgeTombstones(200).join()).isEqualTo(1);
        assertThat(store.get("old")).isEmpty();
        assertThat(store.get("new")).as("not strictly older").contains(Record.tombstone("new", v(200, "n1")));
        assertThat(store.get("ancient-value")).isPresent();

        assertThat(store.purgeTombstones(201).join()).isEqualTo(1);
        assertThat(store.get("new")).isEmpty();
        assertThat(store.purgeTombstones(Long.MAX_VALUE).join()).as("values are never purged").isZero();
        assertThat(text(store.get("ancient-value").orElseThrow())).isEqualTo("keep me");
    }

    // ---------------------------------------------------------------- digests and ranges

    private static List<Record> sampleRecords(long seed, int count) {
        Random random = new Random(seed);
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Version version = v(1_000 + random.nextInt(1_000), "n" + (1 + random.nextInt(3)));
            out.add(random.nextInt(10) == 0
                    ? Record.tombstone("key-" + i, version)
                    : value("key-" + i, "value-" + random.nextInt(), version));
        }
        return out;
    }

    @Test
    void digestsOfIdenticalContentAreEqualAndDifferWhenOneVersionDiffers() {
        long seed = 777L;
        List<Record> records = sampleRecords(seed, 300);
        List<Record> reversed = new ArrayList<>(records);
        Collections.reverse(reversed);
        SqliteStore a = open("a");
        SqliteStore b = open("b");
        a.applyAll(records).join();
        b.applyAll(reversed).join();

        RowDigest da = a.digest(Long.MIN_VALUE, Long.MAX_VALUE);
        RowDigest db = b.digest(Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(da.count()).isEqualTo(300);
        assertThat(db.value()).as("seed %d", seed).isEqualTo(da.value());
        assertThat(db.count()).isEqualTo(da.count());

        Record changed = records.get(42);
        apply(b, value(changed.key(), "newer", v(changed.version().hlc() + 1, changed.version().node())));
        long changedPosition = Ring.hash(changed.key());

        assertThat(b.digest(Long.MIN_VALUE, Long.MAX_VALUE).value()).as("seed %d", seed).isNotEqualTo(da.value());
        for (KeyRange range : KeyRange.ALL.split(8)) {
            boolean differs = a.digest(range.lo(), range.hi()).value() != b.digest(range.lo(), range.hi()).value();
            assertThat(differs).as("seed %d range %s", seed, range).isEqualTo(range.contains(changedPosition));
        }
    }

    @Test
    void digestsTellATombstoneFromAValueOfTheSameVersion() {
        SqliteStore a = open("a");
        SqliteStore b = open("b");
        apply(a, value("k", "x", v(5, "n1")));
        apply(b, Record.tombstone("k", v(5, "n1")));

        assertThat(a.digest(Long.MIN_VALUE, Long.MAX_VALUE).value())
                .isNotEqualTo(b.digest(Long.MIN_VALUE, Long.MAX_VALUE).value());
    }

    @Test
    void entriesReturnOnlyRowsInTheRange() {
        long seed = 31337L;
        List<Record> records = sampleRecords(seed, 400);
        SqliteStore store = open("s");
        store.applyAll(records).join();
        Map<String, KeyVersion> expected = new HashMap<>();
        records.forEach(r -> expected.put(r.key(), r.keyVersion()));

        Map<String, KeyVersion> seen = new HashMap<>();
        for (KeyRange range : KeyRange.ALL.split(5)) {
            List<KeyVersion> rows = store.entries(range.lo(), range.hi(), 1_000);
            for (KeyVersion row : rows) {
                assertThat(range.contains(Ring.hash(row.key()))).as("seed %d: %s in %s", seed, row, range).isTrue();
                assertThat(seen.put(row.key(), row)).as("seed %d: %s listed twice", seed, row).isNull();
            }
            assertThat(store.digest(range.lo(), range.hi()).count()).isEqualTo(rows.size());
        }
        assertThat(seen).as("seed %d", seed).isEqualTo(expected);

        assertThat(store.entries(Long.MIN_VALUE, Long.MAX_VALUE, 10)).hasSize(10);
        long position = Ring.hash("key-7");
        assertThat(keys(store.entries(position, position, 10))).containsExactly("key-7");
        assertThat(keys(store.entries(position + 1, position + 1, 10))).doesNotContain("key-7");
    }

    // ---------------------------------------------------------------- meta, durability, lifecycle

    @Test
    void metaPutAndGet() {
        SqliteStore store = open("s");

        assertThat(store.meta("cluster_config")).isEmpty();
        store.putMeta("cluster_config", "{\"n\":3}").join();
        assertThat(store.meta("cluster_config")).contains("{\"n\":3}");
        store.putMeta("cluster_config", "{\"n\":5}").join();
        store.putMeta("node_id", "n1").join();
        assertThat(store.meta("cluster_config")).contains("{\"n\":5}");
        assertThat(store.meta("node_id")).contains("n1");
    }

    @Test
    void everythingSurvivesCloseAndReopen() {
        long seed = 55L;
        List<Record> records = sampleRecords(seed, 200);
        SqliteStore first = open("s");
        first.applyAll(records).join();
        first.storeHint("n2", records.get(0), 1_234).join();
        first.putMeta("node_id", "n1").join();
        // Queued, not awaited: close must let these finish.
        List<CompletableFuture<ApplyResult>> pending = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pending.add(first.apply(value("late-" + i, "x", v(1, "n1"))));
        }
        first.close();
        assertThat(pending).allSatisfy(f -> assertThat(f).isCompletedWithValue(new ApplyResult(true, v(1, "n1"))));

        SqliteStore second = open("s");

        for (Record r : records) {
            assertThat(second.get(r.key())).as("seed %d", seed).contains(r);
        }
        assertThat(second.get("late-49")).contains(value("late-49", "x", v(1, "n1")));
        assertThat(second.keyCount()).isEqualTo(records.stream().filter(r -> !r.tombstone()).count() + 50);
        assertThat(second.hintsFor("n2", 10)).containsExactly(new Hint("n2", records.get(0), 1_234));
        assertThat(second.meta("node_id")).contains("n1");
    }

    @Test
    void closeIsCleanAndLaterCallsFailWithClosed() {
        SqliteStore store = open("s");
        apply(store, value("k", "v", v(1, "n1")));
        assertThat(store.stats().commits()).isPositive();

        store.close();
        store.close();

        Path wal = Path.of(store.file() + "-wal");
        assertThat(!Files.exists(wal) || wal.toFile().length() == 0).as("WAL checkpointed at close").isTrue();
        List<Supplier<CompletableFuture<?>>> writes = List.of(
                () -> store.apply(value("k", "after", v(2, "n1"))),
                () -> store.applyAll(List.of(value("k", "after", v(2, "n1")))),
                () -> store.storeHint("n2", value("k", "after", v(2, "n1")), 1),
                () -> store.deleteHints("n2", List.of()),
                () -> store.purgeTombstones(1),
                () -> store.putMeta("a", "b"));
        for (Supplier<CompletableFuture<?>> write : writes) {
            assertThat(failure(write.get()).reason()).isEqualTo(StoreException.Cause.CLOSED);
        }
        StoreException read = catchThrowableOfType(StoreException.class, () -> store.get("k"));
        assertThat(read).isNotNull();
        assertThat(read.reason()).isEqualTo(StoreException.Cause.CLOSED);
    }

    // ---------------------------------------------------------------- foreign and damaged files

    private static List<String> tables(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void aForeignSqliteDatabaseIsRefusedAsCorrupt() throws Exception {
        Path dir = tmp.resolve("foreign");
        Files.createDirectories(dir);
        Path file = dir.resolve("quorum.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
            st.executeUpdate("INSERT INTO customers(name) VALUES ('Ada')");
        }
        byte[] before = Files.readAllBytes(file);

        StoreException e = catchThrowableOfType(StoreException.class, () -> open("foreign"));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(StoreException.Cause.CORRUPT);
        assertThat(e.getMessage()).contains("not a Quorum data file");
        byte[] after = Files.readAllBytes(file);
        assertThat(new byte[] {after[18], after[19]}).as("header bytes 18-19: 1 = rollback journal, 2 = WAL")
                .containsExactly(before[18], before[19]);
        assertThat(Arrays.equals(before, after)).as("the foreign file is left unchanged").isTrue();
        assertThat(tables(file)).containsExactly("customers");
    }

    @Test
    void aSqliteDatabaseOfAnotherApplicationIsRefusedEvenWhenEmpty() throws Exception {
        Path dir = tmp.resolve("other-app");
        Files.createDirectories(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quorum.db"));
                Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA application_id = 12345");
        }

        StoreException e = catchThrowableOfType(StoreException.class, () -> open("other-app"));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(StoreException.Cause.CORRUPT);
        assertThat(e.getMessage()).contains("application_id=12345");
    }

    @Test
    void aNewDataFileIsOursAndInWalMode() throws Exception {
        open("s").close();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("s").resolve("quorum.db"));
                Statement st = c.createStatement()) {
            assertThat(queryString(st, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(queryString(st, "PRAGMA application_id")).isEqualTo(String.valueOf(SqliteStore.APPLICATION_ID));
        }
        assertThat(tables(tmp.resolve("s").resolve("quorum.db"))).containsExactly("causal_applied", "causal_log", "causal_stamps", "hints", "kv", "meta");
    }

    private static String queryString(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void aFileOfGarbageIsRefusedAsCorrupt() throws Exception {
        long seed = 1L;
        byte[] garbage = new byte[16_384];
        new Random(seed).nextBytes(garbage);
        Path dir = tmp.resolve("garbage");
        Files.createDirectories(dir);
        Files.write(dir.resolve("quorum.db"), garbage);

        StoreException e = catchThrowableOfType(StoreException.class, () -> open("garbage"));

        assertThat(e).as("seed %d", seed).isNotNull();
        assertThat(e.reason()).as("seed %d: %s", seed, e.getMessage()).isEqualTo(StoreException.Cause.CORRUPT);
        assertThat(Arrays.equals(Files.readAllBytes(dir.resolve("quorum.db")), garbage)).as("the file is left alone")
                .isTrue();
    }

    @Test
    void aDataFileFromANewerAgentIsRefused() throws Exception {
        open("s").close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("s").resolve("quorum.db"));
                Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA user_version = " + (SqliteStore.SCHEMA_VERSION + 1));
        }

        StoreException e = catchThrowableOfType(StoreException.class, () -> open("s"));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(StoreException.Cause.CORRUPT);
        assertThat(e.getMessage()).contains("newer than this agent understands");
    }
}
