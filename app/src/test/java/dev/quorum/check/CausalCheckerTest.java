package dev.quorum.check;

import static dev.quorum.check.Kv.delete;
import static dev.quorum.check.Kv.deleteFailed;
import static dev.quorum.check.Kv.deleteUnknown;
import static dev.quorum.check.Kv.get;
import static dev.quorum.check.Kv.getFailed;
import static dev.quorum.check.Kv.getUnknown;
import static dev.quorum.check.Kv.put;
import static dev.quorum.check.Kv.putFailed;
import static dev.quorum.check.Kv.putUnknown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Small histories whose causal verdicts can be worked out by hand, one or more per anomaly kind. */
class CausalCheckerTest {
    private static final CausalChecker CHECKER = new CausalChecker();

    @SafeVarargs
    private static CausalResult check(Operation<KvCall, Optional<String>>... ops) {
        try {
            return CHECKER.check(List.of(ops));
        } catch (HistoryFormatException e) {
            throw new AssertionError(e);
        }
    }

    @SafeVarargs
    private static void causal(Operation<KvCall, Optional<String>>... ops) {
        CausalResult r = check(ops);
        assertThat(r.anomalies()).isEmpty();
        assertThat(r.causal()).isTrue();
        assertThat(r.verdict()).isEqualTo("causal");
    }

    /** The history has exactly one anomaly, of this kind; returns it. */
    @SafeVarargs
    private static CausalAnomaly anomaly(String kind, Operation<KvCall, Optional<String>>... ops) {
        CausalResult r = check(ops);
        assertThat(r.causal()).isFalse();
        assertThat(r.verdict()).isEqualTo("not-causal");
        assertThat(r.anomalies()).extracting(CausalAnomaly::kind).containsExactly(kind);
        assertThat(r.anomalyCount()).isEqualTo(1);
        assertThat(r.byKind()).containsEntry(kind, 1);
        return r.anomalies().get(0);
    }

    private static List<String> chain(CausalAnomaly a) {
        return a.chain().stream().map(s -> (s.via() == null ? "" : s.via() + ": ") + s.op().operation()).toList();
    }

    // ------------------------------------------------------------------ causal histories

    @Test
    void anEmptyHistoryIsCausal() {
        CausalResult r = check();
        assertThat(r.causal()).isTrue();
        assertThat(r.operations()).isZero();
        assertThat(r.sessions()).isZero();
    }

    @Test
    void oneSessionReadingItsOwnWritesIsCausal() {
        causal(get(1, 0, 5, "k", null), put(1, 10, 20, "k", "a"), get(1, 30, 40, "k", "a"),
                put(1, 50, 60, "k", "b"), get(1, 70, 80, "k", "b"), delete(1, 90, 100, "k"),
                get(1, 110, 120, "k", null));
    }

    @Test
    void staleReadsAreCausalWhenNothingNewerIsInTheReadersPast() {
        // Real time does not matter: p2 reads the old value long after p1 overwrote it, but never saw the new one.
        causal(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 1_000, 1_010, "k", "a"),
                get(2, 2_000, 2_010, "k", "a"), get(3, 3_000, 3_010, "k", null));
    }

    @Test
    void concurrentWritesMayBeSeenInEitherOrderByOneArbitration() {
        causal(put(1, 0, 10, "k", "a"), put(2, 0, 10, "k", "b"),
                get(3, 20, 30, "k", "a"), get(3, 40, 50, "k", "b"),
                get(4, 20, 30, "k", "b"));
    }

    @Test
    void readingAWriteBringsItsCausalPastAlong() {
        causal(put(1, 0, 10, "k", "a"), put(1, 20, 30, "j", "x"),
                get(2, 40, 50, "j", "x"), get(2, 60, 70, "k", "a"));
    }

    @Test
    void sessionsCountFromTheirProcessNumberNotFromArrivalOrder() {
        // Input order is not session order: the checker sorts each process's operations by invocation.
        causal(get(1, 30, 40, "k", "a"), put(1, 0, 10, "k", "a"));
    }

    // ------------------------------------------------------------------ read-your-writes

    @Test
    void readingAnOlderValueThanOnesOwnWriteIsReadYourWrites() {
        CausalAnomaly a = anomaly("read-your-writes",
                put(2, 0, 10, "k", "a"), get(1, 20, 30, "k", "a"), put(1, 40, 50, "k", "b"),
                get(1, 60, 70, "k", "a"));
        assertThat(a.key()).isEqualTo("k");
        assertThat(a.value()).isEqualTo("a");
        assertThat(a.read().operation()).isEqualTo("get \"k\" -> \"a\"");
        assertThat(a.read().invokeNs()).isEqualTo(60);
        assertThat(a.readFrom().operation()).isEqualTo("put \"k\" \"a\"");
        assertThat(a.newerWrites()).extracting(Violation.Step::operation).containsExactly("put \"k\" \"b\"");
        assertThat(chain(a)).containsExactly("put \"k\" \"a\"", "read from: get \"k\" -> \"a\"",
                "session order: put \"k\" \"b\"", "session order: get \"k\" -> \"a\"");
        assertThat(a.explanation()).contains("its own session wrote put \"k\" \"b\"");
        assertThat(a.operations()).extracting(Violation.Step::invokeNs).containsExactly(0L, 20L, 40L, 60L);
    }

    @Test
    void readingTheOldValueAfterOwnDeleteIsReadYourWrites() {
        CausalAnomaly a = anomaly("read-your-writes",
                put(1, 0, 10, "k", "a"), delete(1, 20, 30, "k"), get(1, 40, 50, "k", "a"));
        assertThat(a.newerWrites()).extracting(Violation.Step::operation).containsExactly("delete \"k\"");
    }

    @Test
    void findingTheKeyAbsentAfterOwnPutIsReadYourWrites() {
        CausalAnomaly a = anomaly("read-your-writes", put(1, 0, 10, "k", "a"), get(1, 20, 30, "k", null));
        assertThat(a.value()).isNull();
        assertThat(a.readFrom()).isNull();
        assertThat(a.explanation()).contains("found the key absent").contains("no delete");
    }

    // ------------------------------------------------------------------ monotonic reads

    @Test
    void readingAnOlderValueAfterANewerOneIsMonotonicReads() {
        CausalAnomaly a = anomaly("monotonic-reads",
                put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"),
                get(2, 40, 50, "k", "b"), get(2, 60, 70, "k", "a"));
        assertThat(a.newerWrites()).extracting(Violation.Step::operation).containsExactly("put \"k\" \"b\"");
        assertThat(chain(a)).containsExactly("put \"k\" \"a\"", "session order: put \"k\" \"b\"",
                "read from: get \"k\" -> \"b\"", "session order: get \"k\" -> \"a\"");
    }

    @Test
    void findingTheKeyAbsentAfterReadingAValueIsMonotonicReads() {
        anomaly("monotonic-reads", put(1, 0, 10, "k", "a"), get(2, 20, 30, "k", "a"), get(2, 40, 50, "k", null));
    }

    // ------------------------------------------------------------------ causal order through other sessions

    @Test
    void missingAWriteThatCameThroughAnotherKeyIsCausalOrder() {
        CausalAnomaly a = anomaly("causal-order",
                put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), put(1, 40, 50, "j", "x"),
                get(2, 60, 70, "j", "x"), get(2, 80, 90, "k", "a"));
        assertThat(chain(a)).containsExactly("put \"k\" \"a\"", "session order: put \"k\" \"b\"",
                "session order: put \"j\" \"x\"", "read from: get \"j\" -> \"x\"", "session order: get \"k\" -> \"a\"");
        assertThat(a.explanation()).contains("through other sessions");
    }

    @Test
    void causalOrderAcrossThreeSessions() {
        // p1 writes b over a; p2 reads b and writes j; p3 reads j, so b is in its past, and then reads a.
        anomaly("causal-order",
                put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"),
                get(2, 40, 50, "k", "b"), put(2, 60, 70, "j", "x"),
                get(3, 80, 90, "j", "x"), get(3, 100, 110, "k", "a"));
    }

    @Test
    void findingTheKeyAbsentAfterAPutCameThroughAnotherKeyIsCausalOrder() {
        anomaly("causal-order", put(1, 0, 10, "k", "a"), put(1, 20, 30, "j", "x"),
                get(2, 40, 50, "j", "x"), get(2, 60, 70, "k", null));
    }

    // ------------------------------------------------------------------ thin air

    @Test
    void aValueNoPutWroteIsThinAir() {
        CausalAnomaly a = anomaly("thin-air-read", put(1, 0, 10, "k", "a"), get(2, 20, 30, "k", "zz"));
        assertThat(a.value()).isEqualTo("zz");
        assertThat(a.explanation()).contains("no put");
    }

    @Test
    void aValueWrittenToAnotherKeyIsThinAir() {
        anomaly("thin-air-read", put(1, 0, 10, "j", "a"), get(2, 20, 30, "k", "a"));
    }

    @Test
    void aValueOnlyAFailedPutWroteIsThinAir() {
        CausalAnomaly a = anomaly("thin-air-read", putFailed(1, 0, 10, "k", "a"), get(2, 20, 30, "k", "a"));
        assertThat(a.explanation()).contains("failed");
        assertThat(a.operations()).hasSize(2);
    }

    // ------------------------------------------------------------------ cycles

    @Test
    void eachSessionReadingTheOthersLaterWriteIsCyclicCausality() {
        CausalAnomaly a = anomaly("cyclic-causality",
                get(1, 0, 10, "k", "b"), put(1, 20, 30, "k", "a"),
                get(2, 0, 10, "k", "a"), put(2, 20, 30, "k", "b"));
        assertThat(a.chain()).hasSize(5);
        assertThat(a.chain().get(0).op()).isEqualTo(a.chain().get(4).op());
        assertThat(a.chain()).extracting(CausalAnomaly.ChainStep::via)
                .containsExactly(null, "session order", "read from", "session order", "read from");
    }

    @Test
    void readingOnesOwnLaterWriteIsCyclicCausality() {
        anomaly("cyclic-causality", get(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "a"));
    }

    @Test
    void readingOnesOwnLaterUnknownWriteIsCyclicCausality() {
        anomaly("cyclic-causality", get(1, 0, 10, "k", "a"), putUnknown(1, 20, "k", "a"));
    }

    @Test
    void twoReadsArbitratingConcurrentWritesInOppositeOrdersIsAnArbitrationCycle() {
        // p3 saw a and b and returned a (b before a); p4 saw both and returned b (a before b).
        CausalAnomaly a = anomaly("arbitration-cycle",
                put(1, 0, 10, "k", "a"), put(1, 20, 30, "i", "x1"),
                put(2, 0, 10, "k", "b"), put(2, 20, 30, "j", "x2"),
                get(3, 40, 50, "i", "x1"), get(3, 60, 70, "j", "x2"), get(3, 80, 90, "k", "a"),
                get(4, 40, 50, "i", "x1"), get(4, 60, 70, "j", "x2"), get(4, 80, 90, "k", "b"));
        assertThat(a.chain().get(0).op()).isEqualTo(a.chain().get(a.chain().size() - 1).op());
        assertThat(a.chain()).extracting(CausalAnomaly.ChainStep::via).filteredOn(v -> v != null && v.startsWith("arbitration"))
                .hasSize(2);
        assertThat(a.explanation()).contains("No last-writer-wins order");
    }

    // ------------------------------------------------------------------ deletes

    @Test
    void anAbsentReadAfterADeleteIsCausal() {
        causal(put(1, 0, 10, "k", "a"), delete(1, 20, 30, "k"), get(1, 40, 50, "k", null),
                get(2, 60, 70, "k", "a"), get(2, 80, 90, "k", null));
    }

    @Test
    void aConcurrentDeleteMayExplainAnAbsentRead() {
        causal(put(1, 0, 10, "k", "a"), delete(2, 0, 10, "k"), get(1, 20, 30, "k", null));
    }

    @Test
    void aDeleteOfUnknownOutcomeMayExplainAnAbsentRead() {
        causal(put(1, 0, 10, "k", "a"), get(2, 20, 30, "k", "a"), deleteUnknown(2, 40, "k"),
                get(2, 50, 60, "k", null));
    }

    @Test
    void aFailedDeleteExplainsNothing() {
        anomaly("read-your-writes", put(1, 0, 10, "k", "a"), deleteFailed(2, 0, 10, "k"), get(1, 20, 30, "k", null));
    }

    @Test
    void aDeleteCausallyBeforeThePutCannotExplainAnAbsentRead() {
        anomaly("read-your-writes", delete(2, 0, 10, "k"), put(2, 20, 30, "j", "y"),
                get(1, 40, 50, "j", "y"), put(1, 60, 70, "k", "a"), get(1, 80, 90, "k", null));
    }

    @Test
    void aDeleteCausallyAfterTheReadCannotExplainIt() {
        anomaly("read-your-writes", put(1, 0, 10, "k", "a"), get(1, 20, 30, "k", null), delete(1, 40, 50, "k"));
    }

    // ------------------------------------------------------------------ unknown and failed operations

    @Test
    void aPutOfUnknownOutcomeMayBeRead() {
        causal(putUnknown(1, 0, "k", "a"), get(2, 20, 30, "k", "a"), get(2, 40, 50, "k", "a"));
    }

    @Test
    void aPutOfUnknownOutcomeIsNotInItsSessionsLaterOps() {
        // The client never learned the unknown put's outcome, so p1's later put j does not carry it.
        causal(putUnknown(1, 0, "k", "a"), put(1, 20, 30, "j", "x"), get(2, 40, 50, "j", "x"),
                get(2, 60, 70, "k", null));
        // With an ok put the same reads are an anomaly.
        anomaly("causal-order", put(1, 0, 10, "k", "a"), put(1, 20, 30, "j", "x"), get(2, 40, 50, "j", "x"),
                get(2, 60, 70, "k", null));
    }

    @Test
    void aPutOfUnknownOutcomeCarriesItsCausalPastToItsReaders() {
        anomaly("causal-order", put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), putUnknown(1, 40, "j", "x"),
                get(2, 50, 60, "j", "x"), get(2, 70, 80, "k", "a"));
    }

    @Test
    void aReadOfAnUnknownPutThatIsNewerThanItIsFound() {
        CausalAnomaly a = anomaly("monotonic-reads", put(1, 0, 10, "k", "a"), putUnknown(1, 20, "k", "b"),
                get(2, 30, 40, "k", "b"), get(2, 50, 60, "k", "a"));
        assertThat(a.newerWrites()).extracting(Violation.Step::outcome).containsExactly("unknown");
    }

    @Test
    void failedOperationsAndUnknownReadsAreDropped() {
        CausalResult r = check(put(1, 0, 10, "k", "a"), putFailed(1, 20, 30, "k", "b"), getUnknown(1, 40, "k"),
                getFailed(1, 50, 60, "k"), get(1, 70, 80, "k", "a"));
        assertThat(r.causal()).isTrue();
        assertThat(r.operations()).isEqualTo(5);
        assertThat(r.readsChecked()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ bad histories

    @Test
    void aSessionRunningTwoOperationsAtOnceIsAHistoryError() {
        assertThatThrownBy(() -> CHECKER.check(List.of(put(1, 0, 100, "k", "a"), get(1, 50, 60, "k", "a"))))
                .isInstanceOf(HistoryFormatException.class)
                .hasMessageContaining("process 1 runs two operations at once")
                .hasMessageContaining("put \"k\" \"a\" (ok, 0 .. 100)")
                .hasMessageContaining("get \"k\"");
    }

    @Test
    void aSessionMayGoOnAfterAnOperationOfUnknownOutcome() {
        causal(putUnknown(1, 0, "k", "a"), put(1, 50, 60, "k", "b"), get(1, 70, 80, "k", "b"));
    }

    @Test
    void touchingOperationsOfOneSessionDoNotOverlap() {
        causal(put(1, 0, 10, "k", "a"), get(1, 10, 20, "k", "a"));
    }

    @Test
    void twoPutsOfTheSameValueAreAHistoryError() {
        assertThatThrownBy(() -> CHECKER.check(List.of(put(1, 0, 10, "k", "a"), put(2, 0, 10, "k", "a"))))
                .isInstanceOf(HistoryFormatException.class)
                .hasMessageContaining("same value");
    }

    @Test
    void countsAndJson() {
        CausalResult r = check(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "b"),
                get(2, 60, 70, "k", "a"), get(3, 0, 10, "j", null));
        assertThat(r.sessions()).isEqualTo(3);
        assertThat(r.keys()).isEqualTo(2);
        assertThat(r.readsChecked()).isEqualTo(3);
        var json = r.toJson();
        assertThat(json.get("verdict").asString()).isEqualTo("not-causal");
        assertThat(json.get("anomaly_count").asInt()).isEqualTo(1);
        assertThat(json.get("anomalies").get(0).get("kind").asString()).isEqualTo("monotonic-reads");
        assertThat(json.get("anomalies").get(0).get("chain").get(1).get("via").asString()).isEqualTo("session order");
    }

    @Test
    void onlyTheFirstAnomaliesAreDescribedButAllAreCounted() throws Exception {
        CausalResult r = new CausalChecker(1).check(List.of(put(1, 0, 10, "k", "a"), get(1, 20, 30, "k", null),
                get(1, 40, 50, "k", null), get(2, 0, 10, "k", "zz")));
        assertThat(r.anomalyCount()).isEqualTo(3);
        assertThat(r.anomalies()).hasSize(1);
    }
}
