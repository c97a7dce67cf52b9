package dev.quorum.agent.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyRangeTest {

    private static BigInteger size(KeyRange r) {
        return BigInteger.valueOf(r.hi()).subtract(BigInteger.valueOf(r.lo())).add(BigInteger.ONE);
    }

    /** The parts start at lo, end at hi, follow each other with no gap or overlap, and number at most {@code parts}. */
    private static void assertExactCover(KeyRange range, int parts, List<KeyRange> split, String context) {
        assertThat(split).as(context).isNotEmpty().hasSizeLessThanOrEqualTo(parts);
        assertThat(split.get(0).lo()).as(context).isEqualTo(range.lo());
        assertThat(split.get(split.size() - 1).hi()).as(context).isEqualTo(range.hi());
        BigInteger total = BigInteger.ZERO;
        for (int i = 0; i < split.size(); i++) {
            KeyRange part = split.get(i);
            assertThat(part.lo()).as("%s: part %d %s", context, i, part).isLessThanOrEqualTo(part.hi());
            if (i > 0) {
                assertThat(part.lo()).as("%s: part %d %s follows %s", context, i, part, split.get(i - 1))
                        .isEqualTo(split.get(i - 1).hi() + 1);
            }
            total = total.add(size(part));
        }
        assertThat(total).as(context).isEqualTo(size(range));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 16, 64, 1000})
    void splittingAllCoversTheWholeRingInNearEqualParts(int parts) {
        List<KeyRange> split = KeyRange.ALL.split(parts);

        assertExactCover(KeyRange.ALL, parts, split, "ALL into " + parts);
        assertThat(split).hasSize(parts);
        BigInteger smallest = split.stream().map(KeyRangeTest::size).min(BigInteger::compareTo).orElseThrow();
        BigInteger largest = split.stream().map(KeyRangeTest::size).max(BigInteger::compareTo).orElseThrow();
        assertThat(largest.subtract(smallest)).as("ALL into %d: %s", parts, split)
                .isLessThanOrEqualTo(BigInteger.valueOf(parts));
    }

    @Test
    void tinyRangesAreCoveredExactly() {
        KeyRange point = new KeyRange(5, 5);
        assertThat(point.split(4)).containsExactly(point);
        KeyRange two = new KeyRange(-1, 0);
        assertExactCover(two, 2, two.split(2), "two positions into 2");
        KeyRange three = new KeyRange(0, 2);
        assertThat(three.split(2)).containsExactly(new KeyRange(0, 0), new KeyRange(1, 2));
        assertThat(three.split(3)).containsExactly(new KeyRange(0, 2));
        KeyRange top = new KeyRange(Long.MAX_VALUE - 2, Long.MAX_VALUE);
        assertExactCover(top, 2, top.split(2), "top of the ring");
        KeyRange bottom = new KeyRange(Long.MIN_VALUE, Long.MIN_VALUE + 1);
        assertExactCover(bottom, 5, bottom.split(5), "bottom of the ring");
        KeyRange maxPoint = new KeyRange(Long.MAX_VALUE, Long.MAX_VALUE);
        assertThat(maxPoint.split(3)).containsExactly(maxPoint);
    }

    @Test
    void randomRangesAreCoveredExactly() {
        long seed = 314159L;
        Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            long a = random.nextInt(4) == 0 ? random.nextInt(50) - 25 : random.nextLong();
            long b = random.nextInt(4) == 0 ? a + random.nextInt(50) : random.nextLong();
            KeyRange range = new KeyRange(Math.min(a, b), Math.max(a, b));
            int parts = 1 + random.nextInt(100);
            assertExactCover(range, parts, range.split(parts), "seed " + seed + " " + range + " into " + parts);
        }
    }

    @Test
    void containsIsInclusiveAtBothEnds() {
        KeyRange r = new KeyRange(-10, 10);

        assertThat(r.contains(-10)).isTrue();
        assertThat(r.contains(10)).isTrue();
        assertThat(r.contains(-11)).isFalse();
        assertThat(r.contains(11)).isFalse();
        assertThat(KeyRange.ALL.contains(Long.MIN_VALUE)).isTrue();
        assertThat(KeyRange.ALL.contains(Long.MAX_VALUE)).isTrue();
    }

    @Test
    void anEmptyRangeCannotBeBuilt() {
        assertThatThrownBy(() -> new KeyRange(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyRange(Long.MAX_VALUE, Long.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
