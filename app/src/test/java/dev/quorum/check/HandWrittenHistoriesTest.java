package dev.quorum.check;

import static dev.quorum.check.Kv.delete;
import static dev.quorum.check.Kv.get;
import static dev.quorum.check.Kv.getUnknown;
import static dev.quorum.check.Kv.put;
import static dev.quorum.check.Kv.putFailed;
import static dev.quorum.check.Kv.putUnknown;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Small Quorum histories whose verdicts (and violation reports) can be worked out by hand. */
class HandWrittenHistoriesTest {
    private static LinearizabilityChecker checker;

    @BeforeAll
    static void start() {
        checker = new LinearizabilityChecker(CheckOptions.defaults().withThreads(2).withStopAtFirstViolation(false));
    }

    @AfterAll
    static void stop() {
        checker.close();
    }

    @SafeVarargs
    private static CheckResult check(Operation<KvCall, Optional<String>>... ops) {
        return checker.check(KvRegisterModel.INSTANCE, List.of(ops));
    }

    @SafeVarargs
    private static Violation violation(Operation<KvCall, Optional<String>>... ops) {
        CheckResult r = check(ops);
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.violations()).hasSize(1);
        return r.violations().get(0);
    }

    private static List<String> described(List<Violation.Step> steps) {
        return steps.stream().map(Violation.Step::operation).toList();
    }

    // ------------------------------------------------------------------ linearizable

    @Test
    void anEmptyHistoryIsLinearizable() {
        CheckResult r = checker.check(KvRegisterModel.INSTANCE, List.of());
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.keys()).isEmpty();
    }

    @Test
    void aSequentialHistoryIsLinearizable() {
        assertThat(check(
                get(1, 0, 5, "k", null),
                put(1, 10, 20, "k", "v1"),
                get(2, 30, 40, "k", "v1"),
                delete(1, 50, 60, "k"),
                get(2, 70, 80, "k", null)).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
        // put a and put b overlap: a read after both may see either, as long as later reads agree.
        assertThat(check(put(1, 0, 30, "k", "a"), put(2, 10, 40, "k", "b"), get(3, 50, 60, "k", "a"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(check(put(1, 0, 30, "k", "a"), put(2, 10, 40, "k", "b"), get(3, 50, 60, "k", "b"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeTheOldOrTheNewValue() {
        assertThat(check(put(1, 0, 10, "k", "old"), put(1, 20, 50, "k", "new"), get(2, 30, 40, "k", "old"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(check(put(1, 0, 10, "k", "old"), put(1, 20, 50, "k", "new"), get(2, 30, 40, "k", "new"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void anUnknownWriteMayHaveTakenEffect() {
        assertThat(check(put(1, 0, 10, "k", "v1"), putUnknown(2, 20, "k", "v2"), get(3, 30, 40, "k", "v2"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void anUnknownWriteMayNotHaveTakenEffect() {
        assertThat(check(put(1, 0, 10, "k", "v1"), putUnknown(2, 20, "k", "v2"), get(3, 30, 40, "k", "v1"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void anUnknownWriteMayTakeEffectLongAfterItsInvocation() {
        assertThat(check(putUnknown(2, 0, "k", "late"), put(1, 10, 20, "k", "v1"), get(3, 30, 40, "k", "v1"),
                get(3, 1_000, 1_010, "k", "late")).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aDeleteConcurrentWithAReadMayOrMayNotBeSeen() {
        assertThat(check(put(1, 0, 10, "k", "v1"), delete(1, 20, 50, "k"), get(2, 30, 40, "k", "v1"))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(check(put(1, 0, 10, "k", "v1"), delete(1, 20, 50, "k"), get(2, 30, 40, "k", null))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void failedOperationsAndUnknownReadsConstrainNothing() {
        assertThat(check(put(1, 0, 10, "k", "v1"), putFailed(2, 20, 30, "k", "v2"), getUnknown(3, 40, "k"),
                get(3, 50, 60, "k", "v1")).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void operationsTouchingAtOneInstantCountAsConcurrent() {
        // The get is invoked at the very nanosecond the put completes: either order is allowed.
        assertThat(check(put(1, 0, 10, "k", "v1"), get(2, 10, 20, "k", null)).verdict())
                .isEqualTo(Verdict.LINEARIZABLE);
    }

    // ------------------------------------------------------------------ not linearizable, and why

    @Test
    void aStaleReadIsCaughtWithTheWriteItMissed() {
        Violation v = violation(
                put(1, 0, 10, "k", "v1"),
                put(1, 20, 30, "k", "v2"),
                get(2, 40, 50, "k", "v1"));

        assertThat(v.key()).isEqualTo("k");
        assertThat(v.operation().operation()).isEqualTo("get \"k\" -> \"v1\"");
        assertThat(v.operation().process()).isEqualTo(2);
        assertThat(v.operation().invokeNs()).isEqualTo(40);
        assertThat(v.operation().completeNs()).isEqualTo(50);
        assertThat(v.possibleStates()).containsExactly("\"v2\"");
        assertThat(v.minimal()).isTrue();
        assertThat(v.statesBefore()).containsExactly("\"v2\"");
        assertThat(described(v.context())).containsExactly("put \"k\" \"v2\"");
        assertThat(described(v.window())).containsExactly("get \"k\" -> \"v1\"");
        assertThat(v.windowStartNs()).isEqualTo(40);
        assertThat(v.explanation()).contains("Key \"k\" is not linearizable", "get \"k\" -> \"v1\" (process 2, 40 .. 50)",
                "holds \"v2\" when it completes", "Smallest failing window: 1 operation",
                "process 1  20 .. 30  ok  put \"k\" \"v2\"");
    }

    @Test
    void aLostWriteIsCaught() {
        Violation v = violation(put(1, 0, 10, "k", "v1"), get(2, 20, 30, "k", null));

        assertThat(v.operation().operation()).isEqualTo("get \"k\" -> absent");
        assertThat(v.possibleStates()).containsExactly("\"v1\"");
        assertThat(described(v.context())).containsExactly("put \"k\" \"v1\"");
    }

    @Test
    void aReadOfAValueNeverWrittenIsCaught() {
        Violation v = violation(put(1, 0, 10, "k", "v1"), get(2, 20, 30, "k", "v9"));

        assertThat(v.operation().operation()).isEqualTo("get \"k\" -> \"v9\"");
        assertThat(v.possibleStates()).containsExactly("\"v1\"");
        assertThat(described(v.window())).containsExactly("get \"k\" -> \"v9\"");
    }

    @Test
    void readsThatDisagreeOnTheOrderOfConcurrentWritesAreCaught() {
        // Either order was possible, but once a read saw b last, a later read cannot see a.
        Violation v = violation(
                put(1, 0, 30, "k", "a"),
                put(2, 10, 40, "k", "b"),
                get(3, 50, 60, "k", "b"),
                get(4, 70, 80, "k", "a"));

        assertThat(v.operation().process()).isEqualTo(4);
        assertThat(v.possibleStates()).containsExactly("\"b\"");
        assertThat(v.statesBefore()).containsExactly("\"b\"");
        assertThat(described(v.context())).containsExactly("put \"k\" \"b\"", "get \"k\" -> \"b\"");
        assertThat(described(v.window())).containsExactly("get \"k\" -> \"a\"");
    }

    @Test
    void anUnknownWriteTakesEffectOnlyOnce() {
        Violation v = violation(
                put(1, 0, 10, "k", "v1"),
                putUnknown(2, 20, "k", "v2"),
                get(3, 30, 40, "k", "v2"),
                put(1, 50, 60, "k", "v3"),
                get(3, 70, 80, "k", "v2"));

        assertThat(v.operation().invokeNs()).isEqualTo(70);
        assertThat(v.possibleStates()).containsExactly("\"v3\"");
    }

    @Test
    void anUnknownWriteCannotTakeEffectBeforeItIsInvoked() {
        Violation v = violation(get(3, 0, 10, "k", "v2"), putUnknown(2, 20, "k", "v2"));

        assertThat(v.operation().operation()).isEqualTo("get \"k\" -> \"v2\"");
        assertThat(v.possibleStates()).containsExactly("absent");
    }

    @Test
    void aReadOfADeletedValueIsCaught() {
        Violation v = violation(put(1, 0, 10, "k", "v1"), delete(1, 20, 30, "k"), get(2, 40, 50, "k", "v1"));

        assertThat(v.possibleStates()).containsExactly("absent");
        assertThat(v.statesBefore()).containsExactly("absent");
        assertThat(described(v.context())).containsExactly("delete \"k\"");
        assertThat(described(v.window())).containsExactly("get \"k\" -> \"v1\"");
    }

    @Test
    void aFailedWriteDidNotHappen() {
        Violation v = violation(put(1, 0, 10, "k", "v1"), putFailed(2, 20, 30, "k", "v2"), get(3, 40, 50, "k", "v2"));

        assertThat(v.possibleStates()).containsExactly("\"v1\"");
    }

    @Test
    void theWindowHoldsTheProofThatAnUnknownWriteAlreadyHappened() {
        // The read at 40 proves the unknown write of x took effect before 50; y is written after it, so the
        // read at 90 is impossible. The window shows that proof: it starts before the read at 40, although
        // every order leaves the key at y just before 90. The read at 45 and the other key are left out.
        Violation v = violation(
                put(1, 0, 10, "k", "v1"),
                putUnknown(2, 20, "k", "x"),
                get(3, 40, 50, "k", "x"),
                get(4, 45, 55, "k", "x"),
                put(1, 60, 70, "k", "y"),
                get(5, 62, 68, "k", "x"),
                get(3, 90, 100, "k", "x"),
                put(6, 0, 10, "other", "z"));

        assertThat(v.key()).isEqualTo("k");
        assertThat(v.operation().invokeNs()).isEqualTo(90);
        assertThat(v.possibleStates()).containsExactly("\"y\"");
        assertThat(v.statesBefore()).containsExactly("\"v1\"");
        assertThat(described(v.context())).containsExactly("put \"k\" \"v1\"");
        assertThat(v.window()).extracting(Violation.Step::invokeNs).containsExactly(20L, 40L, 60L, 90L);
        assertThat(v.explanation()).contains("process 2  20 .. open  unknown  put \"k\" \"x\"");
    }

    @Test
    void theWindowKeepsTheOperationsThatPinTheOrderAndDropsTheReadsThatDoNot() {
        // No quiet moment before the violation: the window starts at the beginning. The unknown write of x
        // must precede the read at 40; y follows; the read at 90 cannot see x. The read at 45 adds nothing and
        // goes; the long put of w stays: it may land after y, so the key may hold w at 90 too.
        Violation v = violation(
                put(1, 0, 200, "k", "w"),
                putUnknown(2, 20, "k", "x"),
                get(3, 40, 50, "k", "x"),
                get(4, 45, 55, "k", "x"),
                put(5, 60, 70, "k", "y"),
                get(3, 90, 100, "k", "x"));

        assertThat(v.operation().invokeNs()).isEqualTo(90);
        assertThat(v.possibleStates()).containsExactlyInAnyOrder("\"y\"", "\"w\"");
        assertThat(v.windowStartNs()).isEqualTo(0);
        assertThat(v.statesBefore()).containsExactly("absent");
        assertThat(v.context()).isEmpty();
        assertThat(v.window()).extracting(Violation.Step::invokeNs).containsExactly(0L, 20L, 40L, 60L, 90L);
    }

    @Test
    void keysAreCheckedIndependently() {
        CheckResult r = check(
                put(1, 0, 10, "a", "1"), get(2, 20, 30, "a", "1"),
                put(1, 0, 10, "b", "1"), get(2, 20, 30, "b", "2"),
                put(1, 0, 10, "c", "1"), get(2, 20, 30, "c", null));

        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.keys()).extracting(KeyResult::key, KeyResult::verdict).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", Verdict.LINEARIZABLE),
                org.assertj.core.groups.Tuple.tuple("b", Verdict.NOT_LINEARIZABLE),
                org.assertj.core.groups.Tuple.tuple("c", Verdict.NOT_LINEARIZABLE));
        assertThat(r.operations()).isEqualTo(6);
    }
}
