package dev.quorum.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyOrderTest {
    /** A few code points from each UTF-8 length class, including both sides of the surrogate block. */
    private static final int[] ALPHABET = {
        'a', 'b', '/', ' ', 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xd7ff, 0xe000, 0xfeff, 0xffff,
        0x10000, 0x1f600, 0x1f389, 0x10ffff
    };

    private static int utf8Compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String randomString(Random random) {
        StringBuilder sb = new StringBuilder();
        int length = random.nextInt(6);
        for (int i = 0; i < length; i++) {
            int cp = random.nextInt(3) == 0 ? randomScalarValue(random) : ALPHABET[random.nextInt(ALPHABET.length)];
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** Any code point that is a character: surrogate code points have no UTF-8 form. */
    private static int randomScalarValue(Random random) {
        while (true) {
            int cp = random.nextInt(Character.MAX_CODE_POINT + 1);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }

    @Test
    void supplementaryCharactersSortAfterTheTopOfTheBmp() {
        String bmpTop = "\uffff";
        String emoji = "\ud83d\ude00";

        assertThat(bmpTop.compareTo(emoji)).as("UTF-16 order disagrees").isPositive();
        assertThat(KeyOrder.compare(bmpTop, emoji)).isNegative();
        assertThat(KeyOrder.compare(emoji, bmpTop)).isPositive();
        assertThat(KeyOrder.compare("\ue000", "\ud800\udc00")).isNegative();
    }

    @Test
    void prefixesSortFirstAndEqualStringsCompareEqual() {
        assertThat(KeyOrder.compare("a", "ab")).isNegative();
        assertThat(KeyOrder.compare("ab", "a")).isPositive();
        assertThat(KeyOrder.compare("", "a")).isNegative();
        assertThat(KeyOrder.compare("", "")).isZero();
        assertThat(KeyOrder.compare("a\ud83d\ude00", "a\ud83d\ude00")).isZero();
        assertThat(KeyOrder.compare("a\ud83d\ude00", "a\ud83d\ude00b")).isNegative();
    }

    @Test
    void orderEqualsUtf8ByteOrderOnRandomStrings() {
        long seed = 8675309L;
        Random random = new Random(seed);
        for (int i = 0; i < 50_000; i++) {
            String a = randomString(random);
            String b = random.nextInt(4) == 0 ? a + randomString(random) : randomString(random);
            assertThat(Integer.signum(KeyOrder.compare(a, b)))
                    .as("seed %d: %s vs %s", seed, codePoints(a), codePoints(b))
                    .isEqualTo(Integer.signum(utf8Compare(a, b)));
        }
    }

    @Test
    void sortingWithTheComparatorEqualsSortingByUtf8Bytes() {
        long seed = 2718L;
        Random random = new Random(seed);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            keys.add(randomString(random));
        }
        List<String> byComparator = new ArrayList<>(keys);
        byComparator.sort(KeyOrder.UTF8);
        List<String> byBytes = new ArrayList<>(keys);
        byBytes.sort(Comparator.comparing(s -> s.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));

        assertThat(byComparator).as("seed %d", seed).isEqualTo(byBytes);
    }

    private static String codePoints(String s) {
        return Arrays.toString(s.codePoints().mapToObj(Integer::toHexString).toArray());
    }
}
