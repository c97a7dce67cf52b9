package dev.quorum.agent.config;

import dev.quorum.agent.consistency.Consistency;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterConfigTest {
    /** Eventual, so that quorum checks are seen alone, without strong's R + W > N rule. */
    private static final ClusterConfig DEFAULTS = ClusterConfig.defaults(3)
            .apply(new ConfigPatch(null, null, null, "eventual", null, null, null, null, null, null, null));

    private static ClusterConfig withN(int n) {
        return DEFAULTS.apply(new ConfigPatch(n, null, null, null, null, null, null, null, null, null, null));
    }

    private static ClusterConfig withRw(int r, int w) {
        return DEFAULTS.apply(new ConfigPatch(null, r, w, null, null, null, null, null, null, null, null));
    }

    private static ClusterConfig withConsistency(String consistency) {
        return DEFAULTS.apply(
                new ConfigPatch(null, null, null, consistency, null, null, null, null, null, null, null));
    }

    private static ClusterConfig withTimeouts(long replicaMs, long requestMs) {
        return DEFAULTS.apply(
                new ConfigPatch(null, null, null, null, replicaMs, requestMs, null, null, null, null, null));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 16})
    void defaultsHaveNoProblems(int clusterSize) {
        ClusterConfig config = ClusterConfig.defaults(clusterSize);

        assertThat(config.problems(clusterSize)).isEmpty();
        assertThat(config.n()).isEqualTo(Math.min(3, clusterSize));
        assertThat(config.r() + config.w()).as("majority quorums overlap").isGreaterThan(config.n());
        assertThat(config.consistency()).as("strong is the default").isEqualTo(Consistency.STRONG);
    }

    @Test
    void rGreaterThanNIsAProblem() {
        List<String> problems = withRw(4, 2).problems(3);

        assertThat(problems).singleElement().asString().startsWith("r must be between 1 and n (3), got 4");
    }

    @Test
    void wOfZeroIsAProblem() {
        List<String> problems = withRw(2, 0).problems(3);

        assertThat(problems).singleElement().asString().startsWith("w must be between 1 and n (3), got 0");
    }

    @Test
    void nLargerThanTheClusterIsAProblem() {
        List<String> problems = withN(4).problems(3);

        assertThat(problems).singleElement().asString()
                .isEqualTo("n must be between 1 and the cluster size 3, got 4");
        assertThat(withN(4).problems(4)).isEmpty();
    }

    @Test
    void nOfZeroIsAProblemAndMakesTheQuorumsInvalidToo() {
        List<String> problems = withN(0).problems(3);

        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).startsWith("n must be between 1");
        assertThat(problems.get(1)).startsWith("r must be between 1 and n (0)");
        assertThat(problems.get(2)).startsWith("w must be between 1 and n (0)");
    }

    @Test
    void anUnknownConsistencyIsRejectedWhenThePatchIsApplied() {
        assertThatThrownBy(() -> withConsistency("linearizable"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown consistency 'linearizable'")
                .hasMessageContaining("strong, eventual, causal");
        assertThatThrownBy(() -> withConsistency("EVENTUAL")).as("wire names are lower case")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void primaryReplicaNeedsAPrimaryThatIsAMemberAndEveryKeyOnEveryNode() {
        ClusterConfig noPrimary = DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, null, null, null,
                null, null, "primary-replica", null));
        assertThat(noPrimary.problems(3)).singleElement().asString().contains("needs a primary");
        ClusterConfig stranger = noPrimary.apply(new ConfigPatch(null, null, null, null, null, null, null, null, null,
                null, null, null, "n9"));
        assertThat(stranger.problems(List.of("n1", "n2", "n3"))).singleElement().asString()
                .contains("primary 'n9' is not a member");
        ClusterConfig ok = stranger.apply(new ConfigPatch(null, null, null, null, null, null, null, null, null,
                null, null, null, "n2"));
        assertThat(ok.problems(List.of("n1", "n2", "n3"))).isEmpty();
        assertThat(ok.isPrimary("n2")).isTrue();
        assertThat(ok.isPrimary("n1")).isFalse();
        assertThat(ok.problems(List.of("n1", "n2", "n3", "n4"))).singleElement().asString()
                .contains("n must equal the cluster size 4");
        assertThatThrownBy(() -> DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, null, null, null,
                null, null, "ring", null))).hasMessageContaining("unknown topology 'ring'");
        assertThat(DEFAULTS.topology()).isEqualTo(Topology.LEADERLESS);
    }

    @Test
    void causalNeedsEveryKeyOnEveryNode() {
        ClusterConfig config = withConsistency("causal");

        assertThat(config.problems(3)).isEmpty();
        assertThat(config.problems(5)).singleElement().asString()
                .isEqualTo("causal consistency keeps every key on every node: n must equal the cluster size 5, got 3");
    }

    @Test
    void eventualIsAccepted() {
        assertThat(withConsistency("eventual").problems(3)).isEmpty();
    }

    @Test
    void strongIsAcceptedOnlyWithOverlappingQuorums() {
        assertThat(withConsistency("strong").problems(3)).isEmpty(); // defaults: n=3 r=2 w=2
        ClusterConfig weak = withConsistency("strong").apply(
                new ConfigPatch(null, 1, null, null, null, null, null, null, null, null, null));
        assertThat(weak.problems(3)).singleElement().asString().contains("strong consistency needs r + w > n");
    }

    @Test
    void aMissingConsistencyIsAProblem() {
        ClusterConfig config = new ClusterConfig(3, 2, 2, null, 1_000, 3_000, 1_000, 10_000, 3_600_000, 1 << 20,
                true, 0);

        assertThat(config.problems(3)).containsExactly("consistency is required");
    }

    @Test
    void aRequestTimeoutShorterThanTheReplicaTimeoutIsAProblem() {
        assertThat(withTimeouts(1_000, 999).problems(3)).singleElement().asString()
                .isEqualTo("request_timeout_ms (999) must be >= replica_timeout_ms (1000)");
        assertThat(withTimeouts(1_000, 1_000).problems(3)).as("equal is fine").isEmpty();
    }

    @Test
    void outOfRangeTimeoutsAndLimitsAreProblems() {
        assertThat(withTimeouts(0, 3_000).problems(3)).singleElement().asString()
                .isEqualTo("replica_timeout_ms must be between 1 and 60000, got 0");
        assertThat(withTimeouts(60_001, 600_000).problems(3)).singleElement().asString()
                .startsWith("replica_timeout_ms must be between 1 and 60000");
        assertThat(withTimeouts(60_000, 600_000).problems(3)).as("both at their maximum").isEmpty();
        assertThat(withTimeouts(1_000, 600_001).problems(3)).singleElement().asString()
                .startsWith("request_timeout_ms must be between 1 and 600000");
        assertThat(DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, 0L, null, null, null, null))
                .problems(3)).singleElement().asString().startsWith("hint_interval_ms");
        assertThat(DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, null, 86_400_001L, null, null,
                null)).problems(3)).singleElement().asString().startsWith("anti_entropy_interval_ms");
        assertThat(DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, null, null, -1L, null, null))
                .problems(3)).singleElement().asString().startsWith("tombstone_grace_ms");
        assertThat(DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, null, null, null,
                ClusterConfig.MAX_VALUE_BYTES_LIMIT + 1, null)).problems(3)).singleElement().asString()
                .startsWith("max_value_bytes");
        assertThat(DEFAULTS.apply(new ConfigPatch(null, null, null, null, null, null, null, null, null, 0, null))
                .problems(3)).singleElement().asString().startsWith("max_value_bytes");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ClusterConfig config = new ClusterConfig(9, 0, 10, Consistency.CAUSAL, 0, 0, 0, 0, 0, 0, false, 0);

        assertThat(config.problems(3)).hasSize(10);
    }

    @Test
    void applyingAnEmptyPatchChangesNothing() {
        ClusterConfig versioned = DEFAULTS.withVersion(77);

        assertThat(versioned.apply(ConfigPatch.empty())).isEqualTo(versioned);
    }

    @Test
    void applyChangesOnlyTheGivenFields() {
        ClusterConfig versioned = DEFAULTS.withVersion(77);

        ClusterConfig changed = versioned.apply(
                new ConfigPatch(null, 3, null, null, null, 5_000L, null, null, null, null, false));

        assertThat(changed).isEqualTo(new ClusterConfig(versioned.n(), 3, versioned.w(), versioned.consistency(),
                versioned.replicaTimeoutMs(), 5_000, versioned.hintIntervalMs(), versioned.antiEntropyIntervalMs(),
                versioned.tombstoneGraceMs(), versioned.maxValueBytes(), false, 77));
    }

    @Test
    void applyCanChangeEveryField() {
        ClusterConfig changed = DEFAULTS.withVersion(5).apply(new ConfigPatch(5, 1, 5, "causal", 2_000L, 4_000L,
                300L, 60_000L, 7_200_000L, 4096, false));

        assertThat(changed).isEqualTo(new ClusterConfig(5, 1, 5, Consistency.CAUSAL, 2_000, 4_000, 300, 60_000,
                7_200_000, 4096, false, 5));
    }

    @Test
    void withVersionChangesOnlyTheVersion() {
        ClusterConfig versioned = DEFAULTS.withVersion(123);

        assertThat(versioned.version()).isEqualTo(123);
        assertThat(versioned.withVersion(DEFAULTS.version())).isEqualTo(DEFAULTS);
    }
}
