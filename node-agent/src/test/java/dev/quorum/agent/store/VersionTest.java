package dev.quorum.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionTest {

    @Test
    void theClockOrdersFirstAndTheNodeBreaksTies() {
        Version early = new Version(100, "n9");
        Version lateA = new Version(101, "a");
        Version lateB = new Version(101, "b");

        assertThat(early).isLessThan(lateA);
        assertThat(lateA).isLessThan(lateB);
        assertThat(lateB).isGreaterThan(early);
        assertThat(new Version(101, "b")).isEqualByComparingTo(lateB).isEqualTo(lateB);
        assertThat(lateB.isNewerThan(lateA)).isTrue();
        assertThat(lateA.isNewerThan(lateB)).isFalse();
        assertThat(lateA.isNewerThan(new Version(101, "a"))).as("not newer than itself").isFalse();
        assertThat(early.isNewerThan(null)).as("anything is newer than nothing").isTrue();
    }

    @Test
    void sortingMatchesClockThenNode() {
        long seed = 5L;
        Random random = new Random(seed);
        List<Version> versions = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            versions.add(new Version(random.nextInt(20) - 10, "n" + random.nextInt(5)));
        }
        Collections.shuffle(versions, random);
        Collections.sort(versions);

        for (int i = 1; i < versions.size(); i++) {
            Version a = versions.get(i - 1);
            Version b = versions.get(i);
            assertThat(a.hlc() < b.hlc() || a.hlc() == b.hlc() && a.node().compareTo(b.node()) <= 0)
                    .as("seed %d: %s before %s", seed, a, b).isTrue();
        }
    }

    @Test
    void physicalMillisIsTheHighPartOfTheClock() {
        long millis = 1_700_000_000_123L;

        assertThat(new Version(millis << Version.LOGICAL_BITS | 7, "n1").physicalMillis()).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"113562119043645440@n1", "0@a", "-5@node-2", "9223372036854775807@x.y_z", "1@a@b"})
    void parseAndToStringRoundTrip(String text) {
        Version v = Version.parse(text);

        assertThat(v.toString()).isEqualTo(text);
        assertThat(Version.parse(v.toString())).isEqualTo(v);
    }

    @Test
    void parseReadsBothParts() {
        Version v = Version.parse("113562119043645440@n1");

        assertThat(v.hlc()).isEqualTo(113562119043645440L);
        assertThat(v.node()).isEqualTo("n1");
        assertThat(Version.parse("1@a@b").node()).isEqualTo("a@b");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"@n1", "12@", "12", "n1", "abc@n1", "1.5@n1", " 12@n1", "99999999999999999999@n1", "@"})
    void parseRejectsMalformedText(String text) {
        assertThatThrownBy(() -> Version.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(text));
    }

    @Test
    void aVersionNeedsANode() {
        assertThatThrownBy(() -> new Version(1, null)).isInstanceOf(NullPointerException.class);
    }
}
