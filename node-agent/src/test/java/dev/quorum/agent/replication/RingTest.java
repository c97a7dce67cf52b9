package dev.quorum.agent.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingTest {
    private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

    private static List<String> nodes(int count) {
        return FIVE.subList(0, count);
    }

    private static String randomKey(Random random) {
        return "key-" + Long.toHexString(random.nextLong()) + "/" + random.nextInt(1_000);
    }

    /** Every token of the ring, computed the way the Javadoc describes, mapped to its owner. */
    private static Map<Long, String> tokens(List<String> nodeIds, int vnodes) {
        Map<Long, String> out = new HashMap<>();
        for (String node : nodeIds) {
            for (int v = 0; v < vnodes; v++) {
                out.merge(Ring.hash(node + "#" + v), node, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        return out;
    }

    @Test
    void theSameRingIsBuiltFromAnyOrderOfNodeIds() {
        long seed = 20240611L;
        Random random = new Random(seed);
        Ring reference = new Ring(FIVE, Ring.DEFAULT_VNODES);
        List<String> shuffled = new ArrayList<>(FIVE);
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(shuffled, random);
            Ring other = new Ring(shuffled, Ring.DEFAULT_VNODES);
            assertThat(other.nodes()).as("seed %d, order %s", seed, shuffled).isEqualTo(reference.nodes());
            for (int i = 0; i < 2_000; i++) {
                String key = randomKey(random);
                assertThat(other.preferenceList(key, 3))
                        .as("seed %d, order %s, key %s", seed, shuffled, key)
                        .isEqualTo(reference.preferenceList(key, 3));
            }
        }
    }

    @Test
    void preferenceListsHaveNDistinctNodesPrimaryFirstAndAreStable() {
        long seed = 7L;
        Random random = new Random(seed);
        Ring ring = new Ring(FIVE, Ring.DEFAULT_VNODES);
        Ring rebuilt = new Ring(FIVE, Ring.DEFAULT_VNODES);
        for (int i = 0; i < 3_000; i++) {
            String key = randomKey(random);
            List<String> full = ring.preferenceList(key, 5);
            for (int n = 1; n <= 5; n++) {
                List<String> pref = ring.preferenceList(key, n);
                assertThat(pref).as("seed %d key %s n %d", seed, key, n).hasSize(n).doesNotHaveDuplicates();
                assertThat(FIVE).containsAll(pref);
                // Primary first: a shorter list is a prefix of a longer one.
                assertThat(full.subList(0, n)).as("seed %d key %s n %d", seed, key, n).isEqualTo(pref);
                assertThat(ring.preferenceList(key, n)).as("asked twice").isEqualTo(pref);
                assertThat(rebuilt.preferenceList(key, n)).as("rebuilt ring").isEqualTo(pref);
                assertThat(ring.preferenceListAt(Ring.hash(key), n)).isEqualTo(pref);
            }
        }
    }

    @Test
    void primaryIsTheOwnerOfTheFirstTokenAtOrAfterTheKeysPosition() {
        long seed = 99L;
        Random random = new Random(seed);
        int vnodes = 8;
        Ring ring = new Ring(FIVE, vnodes);
        Map<Long, String> tokens = tokens(FIVE, vnodes);
        List<Long> sorted = new ArrayList<>(tokens.keySet());
        Collections.sort(sorted);
        for (int i = 0; i < 2_000; i++) {
            long position = random.nextLong();
            long owningToken = sorted.stream().filter(t -> t >= position).findFirst().orElse(sorted.get(0));
            assertThat(ring.preferenceListAt(position, 1))
                    .as("seed %d position %d", seed, position)
                    .containsExactly(tokens.get(owningToken));
        }
        for (long token : sorted) {
            assertThat(ring.preferenceListAt(token, 1)).as("at token %d", token).containsExactly(tokens.get(token));
        }
        assertThat(ring.preferenceListAt(Long.MAX_VALUE, 1)).as("wraps to the first token")
                .containsExactly(tokens.get(sorted.get(0)));
        assertThat(ring.preferenceListAt(Long.MIN_VALUE, 1)).containsExactly(tokens.get(sorted.get(0)));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void keysSpreadRoughlyEvenlyOverPrimaries(int nodeCount) {
        long seed = 42L + nodeCount;
        Random random = new Random(seed);
        Ring ring = new Ring(nodes(nodeCount), Ring.DEFAULT_VNODES);
        int keys = 30_000;
        Map<String, Integer> primaries = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            primaries.merge(ring.preferenceList(randomKey(random), 1).get(0), 1, Integer::sum);
        }
        double fair = (double) keys / nodeCount;
        assertThat(primaries).as("seed %d", seed).hasSize(nodeCount);
        for (Map.Entry<String, Integer> e : primaries.entrySet()) {
            assertThat((double) e.getValue())
                    .as("seed %d: node %s is primary for %d of %d keys (fair share %.0f); all %s",
                            seed, e.getKey(), e.getValue(), keys, fair, primaries)
                    .isBetween(fair * 0.85, fair * 1.15);
        }
    }

    @Test
    void walkIsThePreferenceListFollowedByTheRest() {
        long seed = 11L;
        Random random = new Random(seed);
        Ring ring = new Ring(FIVE, Ring.DEFAULT_VNODES);
        for (int i = 0; i < 2_000; i++) {
            String key = randomKey(random);
            List<String> walk = ring.walk(key);
            assertThat(walk).as("seed %d key %s", seed, key).hasSize(5).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(FIVE);
            for (int n = 1; n <= 5; n++) {
                assertThat(walk.subList(0, n)).as("seed %d key %s n %d", seed, key, n)
                        .isEqualTo(ring.preferenceList(key, n));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void rangesReplicatedOnContainExactlyThePositionsWhosePreferenceListHoldsBothNodes(int n) {
        long seed = 1234L + n;
        Random random = new Random(seed);
        Ring ring = new Ring(FIVE, Ring.DEFAULT_VNODES);
        List<Long> edges = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, 0L));
        for (long token : tokens(FIVE, Ring.DEFAULT_VNODES).keySet()) {
            edges.add(token);
            edges.add(token + 1);
            edges.add(token - 1);
        }
        for (int a = 0; a < FIVE.size(); a++) {
            for (int b = a + 1; b < FIVE.size(); b++) {
                String x = FIVE.get(a);
                String y = FIVE.get(b);
                List<KeyRange> ranges = ring.rangesReplicatedOn(n, x, y);
                assertThat(ranges).as("n %d nodes %s %s", n, x, y).isNotEmpty();
                for (int i = 1; i < ranges.size(); i++) {
                    assertThat(ranges.get(i - 1).hi())
                            .as("sorted, non-overlapping and merged: %s then %s", ranges.get(i - 1), ranges.get(i))
                            .isLessThan(ranges.get(i).lo() - 1);
                }
                for (int i = 0; i < 3_000; i++) {
                    String key = randomKey(random);
                    List<String> pref = ring.preferenceList(key, n);
                    boolean expected = pref.contains(x) && pref.contains(y);
                    assertThat(inside(ranges, Ring.hash(key)))
                            .as("seed %d n %d nodes %s %s key %s pref %s", seed, n, x, y, key, pref)
                            .isEqualTo(expected);
                }
                for (long position : edges) {
                    List<String> pref = ring.preferenceListAt(position, n);
                    assertThat(inside(ranges, position))
                            .as("n %d nodes %s %s position %d pref %s", n, x, y, position, pref)
                            .isEqualTo(pref.contains(x) && pref.contains(y));
                }
            }
        }
    }

    @Test
    void rangesReplicatedOnEveryNodeCoverTheWholeRingWhenNEqualsTheClusterSize() {
        Ring ring = new Ring(nodes(3), Ring.DEFAULT_VNODES);

        assertThat(ring.rangesReplicatedOn(3, "n1", "n2", "n3")).containsExactly(KeyRange.ALL);
        assertThat(ring.rangesReplicatedOn(3, "n2")).containsExactly(KeyRange.ALL);
    }

    private static boolean inside(List<KeyRange> ranges, long position) {
        return ranges.stream().anyMatch(r -> r.contains(position));
    }

    @Test
    void everyRangeHasOneOfMatchesThePreferenceListOfEveryArc() {
        Ring ring = new Ring(FIVE, Ring.DEFAULT_VNODES);
        // Each arc ends at a token: the preference lists at the tokens are those of every arc.
        List<List<String>> arcs = new ArrayList<>();
        for (long token : tokens(FIVE, Ring.DEFAULT_VNODES).keySet()) {
            arcs.add(ring.preferenceListAt(token, 5));
        }
        for (int mask = 0; mask < 1 << FIVE.size(); mask++) {
            Set<String> subset = new HashSet<>();
            for (int i = 0; i < FIVE.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    subset.add(FIVE.get(i));
                }
            }
            for (int n = 1; n <= 5; n++) {
                int len = n;
                boolean expected = arcs.stream()
                        .allMatch(pref -> pref.subList(0, len).stream().anyMatch(subset::contains));
                assertThat(ring.everyRangeHasOneOf(subset, n)).as("subset %s n %d", subset, n).isEqualTo(expected);
            }
        }
    }

    @Test
    void everyRangeHasOneOfOnSimpleCases() {
        Ring ring = new Ring(nodes(3), Ring.DEFAULT_VNODES);

        assertThat(ring.everyRangeHasOneOf(Set.of(), 3)).isFalse();
        assertThat(ring.everyRangeHasOneOf(Set.of("n1"), 3)).isTrue();
        assertThat(ring.everyRangeHasOneOf(Set.of("n1"), 1)).isFalse();
        assertThat(ring.everyRangeHasOneOf(Set.of("n1", "n2"), 1)).isFalse();
        assertThat(ring.everyRangeHasOneOf(Set.of("n1", "n2", "n3"), 1)).isTrue();
        // Two distinct nodes out of three always meet any other two.
        assertThat(ring.everyRangeHasOneOf(Set.of("n2", "n3"), 2)).isTrue();
        assertThat(ring.everyRangeHasOneOf(Set.of("n2"), 2)).isFalse();
    }

    @Test
    void nOutOfRangeThrows() {
        Ring ring = new Ring(nodes(3), Ring.DEFAULT_VNODES);

        for (int bad : new int[] {0, -1, 4}) {
            assertThatThrownBy(() -> ring.preferenceList("k", bad)).as("n %d", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N must be between 1 and 3");
            assertThatThrownBy(() -> ring.rangesReplicatedOn(bad, "n1")).as("n %d", bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ring.everyRangeHasOneOf(Set.of("n1"), bad)).as("n %d", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void invalidRingsAndUnknownNodesAreRejected() {
        assertThatThrownBy(() -> new Ring(List.of(), 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ring(List.of("n1"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ring(List.of("n1", "n2", "n1"), 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
        Ring ring = new Ring(nodes(3), 8);
        assertThatThrownBy(() -> ring.rangesReplicatedOn(2, "n1", "n9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n9");
    }

    @Test
    void aSingleNodeRingOwnsEverything() {
        Ring ring = new Ring(List.of("solo"), Ring.DEFAULT_VNODES);

        assertThat(ring.preferenceList("anything", 1)).containsExactly("solo");
        assertThat(ring.walk("anything")).containsExactly("solo");
        assertThat(ring.rangesReplicatedOn(1, "solo")).containsExactly(KeyRange.ALL);
        assertThat(ring.nodes()).containsExactly("solo");
    }
}
