package dev.quorum.check;

import static dev.quorum.check.Kv.delete;
import static dev.quorum.check.Kv.deleteUnknown;
import static dev.quorum.check.Kv.get;
import static dev.quorum.check.Kv.getFailed;
import static dev.quorum.check.Kv.put;
import static dev.quorum.check.Kv.putFailed;
import static dev.quorum.check.Kv.putUnknown;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Hand-written histories for the real-time staleness measure. */
class StaleReadsTest {
    private static final long S = 1_000_000_000L;

    @SafeVarargs
    private static StaleReads.Result measure(Operation<KvCall, Optional<String>>... ops) {
        return StaleReads.measure(List.of(ops));
    }

    @Test
    void noReadsNoStaleness() {
        StaleReads.Result r = measure(put(1, 0, 10, "k", "a"));
        assertThat(r.okReads()).isZero();
        assertThat(r.rate()).isZero();
        assertThat(r.perSecond()).isEmpty();
    }

    @Test
    void readingTheLatestCompletedWriteIsFresh() {
        StaleReads.Result r = measure(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "b"));
        assertThat(r.staleReads()).isZero();
        assertThat(r.okReads()).isEqualTo(1);
    }

    @Test
    void readingAnOverwrittenValueIsStale() {
        StaleReads.Result r = measure(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "a"));
        assertThat(r.staleReads()).isEqualTo(1);
        assertThat(r.rate()).isEqualTo(1.0);
        StaleReads.Example e = r.examples().get(0);
        assertThat(e.value()).isEqualTo("a");
        assertThat(e.readFrom().operation()).isEqualTo("put \"k\" \"a\"");
        assertThat(e.newer().operation()).isEqualTo("put \"k\" \"b\"");
        assertThat(e.explanation()).contains("although put \"k\" \"b\"");
    }

    @Test
    void aWriteConcurrentWithTheReadOrWithTheReadWriteDoesNotMakeItStale() {
        // b overlaps the read: not completed before it began.
        assertThat(measure(put(1, 0, 10, "k", "a"), put(1, 20, 45, "k", "b"), get(2, 40, 50, "k", "a"))
                .staleReads()).isZero();
        // b was invoked before a completed: they are concurrent, either may be last.
        assertThat(measure(put(1, 0, 10, "k", "a"), put(2, 5, 30, "k", "b"), get(3, 40, 50, "k", "a"))
                .staleReads()).isZero();
        // Touching at one instant is concurrent too.
        assertThat(measure(put(1, 0, 10, "k", "a"), put(2, 10, 40, "k", "b"), get(3, 40, 50, "k", "a"))
                .staleReads()).isZero();
    }

    @Test
    void aCompletedDeleteMakesAnOlderValueStale() {
        assertThat(measure(put(1, 0, 10, "k", "a"), delete(1, 20, 30, "k"), get(2, 40, 50, "k", "a"))
                .staleReads()).isEqualTo(1);
    }

    @Test
    void onlyOkWritesCountAsNewer() {
        assertThat(measure(put(1, 0, 10, "k", "a"), putFailed(1, 20, 30, "k", "b"), putUnknown(1, 31, "k", "c"),
                get(2, 40, 50, "k", "a")).staleReads()).isZero();
    }

    @Test
    void readingAPutOfUnknownOutcomeIsNeverStale() {
        assertThat(measure(putUnknown(1, 0, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "a"))
                .staleReads()).isZero();
    }

    @Test
    void otherKeysDoNotMatter() {
        assertThat(measure(put(1, 0, 10, "k", "a"), put(1, 20, 30, "j", "b"), get(2, 40, 50, "k", "a"))
                .staleReads()).isZero();
    }

    @Test
    void anAbsentReadAfterACompletedPutIsStale() {
        StaleReads.Result r = measure(put(1, 0, 10, "k", "a"), get(2, 40, 50, "k", null));
        assertThat(r.staleReads()).isEqualTo(1);
        assertThat(r.examples().get(0).readFrom()).isNull();
        assertThat(r.examples().get(0).explanation()).contains("found the key absent").contains("no delete");
    }

    @Test
    void anAbsentReadIsExplainedByADeleteAfterThePut() {
        assertThat(measure(put(1, 0, 10, "k", "a"), delete(1, 20, 30, "k"), get(2, 40, 50, "k", null))
                .staleReads()).isZero();
        // A delete concurrent with the put, or with the read, explains it too.
        assertThat(measure(put(1, 0, 10, "k", "a"), delete(2, 5, 8, "k"), get(3, 40, 50, "k", null))
                .staleReads()).isZero();
        assertThat(measure(put(1, 0, 10, "k", "a"), delete(2, 45, 60, "k"), get(3, 40, 50, "k", null))
                .staleReads()).isZero();
        assertThat(measure(put(1, 0, 10, "k", "a"), deleteUnknown(2, 45, "k"), get(3, 40, 50, "k", null))
                .staleReads()).isZero();
    }

    @Test
    void aDeleteFinishedBeforeThePutOrBegunAfterTheReadExplainsNothing() {
        assertThat(measure(delete(2, 0, 5, "k"), put(1, 10, 20, "k", "a"), get(3, 40, 50, "k", null))
                .staleReads()).isEqualTo(1);
        assertThat(measure(put(1, 0, 10, "k", "a"), get(3, 40, 50, "k", null), delete(2, 51, 60, "k"))
                .staleReads()).isEqualTo(1);
    }

    @Test
    void anAbsentReadBeforeAnyCompletedPutIsFresh() {
        assertThat(measure(get(2, 0, 5, "k", null), put(1, 3, 20, "k", "a")).staleReads()).isZero();
    }

    @Test
    void failedReadsAreNotCountedAndUnmatchedValuesAreSetApart() {
        StaleReads.Result r = measure(put(1, 0, 10, "k", "a"), getFailed(2, 20, 30, "k"), get(2, 40, 50, "k", "zz"));
        assertThat(r.okReads()).isEqualTo(1);
        assertThat(r.unmatchedReads()).isEqualTo(1);
        assertThat(r.staleReads()).isZero();
    }

    @Test
    void staleReadsAreCountedPerSecondFromTheFirstOperation() {
        StaleReads.Result r = measure(
                put(1, 100, 200, "k", "a"), put(1, 300, 400, "k", "b"),
                get(2, 500, 600, "k", "a"),                  // second 0, stale
                get(2, 100 + S, 200 + S, "k", "b"),           // second 1, fresh
                get(3, 100 + 3 * S, 200 + 3 * S, "k", "a"),   // second 3, stale
                get(3, 200 + 3 * S, 300 + 3 * S, "k", "a"));  // second 3, stale
        assertThat(r.perSecond()).containsExactly(new StaleReads.Bucket(0, 1, 1), new StaleReads.Bucket(1, 1, 0),
                new StaleReads.Bucket(3, 2, 2));
        assertThat(r.staleReads()).isEqualTo(3);
        assertThat(r.text()).startsWith("stale reads: 3 of 4 successful reads (75.00%)").contains("    3s  2 of 2");
        assertThat(r.toJson().get("per_second").size()).isEqualTo(3);
        assertThat(r.toJson().get("examples").get(0).get("value").asString()).isEqualTo("a");
    }

    @Test
    void atMostTenExamples() {
        List<Operation<KvCall, Optional<String>>> h = new java.util.ArrayList<>();
        h.add(put(1, 0, 10, "k", "a"));
        h.add(put(1, 20, 30, "k", "b"));
        for (int i = 0; i < 25; i++) {
            h.add(get(2, 100 + 10 * i, 105 + 10 * i, "k", "a"));
        }
        StaleReads.Result r = StaleReads.measure(h);
        assertThat(r.staleReads()).isEqualTo(25);
        assertThat(r.examples()).hasSize(StaleReads.MAX_EXAMPLES);
    }
}
