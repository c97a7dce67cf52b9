package dev.quorum.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PercentCodecTest {

    private static String path(String raw) {
        return PercentCodec.decode(raw, "key", false);
    }

    private static String query(String raw) {
        return PercentCodec.decode(raw, "query parameter 'prefix'", true);
    }

    @Test
    void decodesEscapesIncludingSlashesAndMultibyteUtf8() {
        assertThat(path("plain")).isEqualTo("plain");
        assertThat(path("")).isEmpty();
        assertThat(path("a%2Fb")).isEqualTo("a/b");
        assertThat(path("a%2fb")).as("lower-case hex").isEqualTo("a/b");
        assertThat(path("users/42")).isEqualTo("users/42");
        assertThat(path("%C3%A9t%C3%A9")).isEqualTo("été");
        assertThat(path("%E2%82%AC")).isEqualTo("€");
        assertThat(path("%F0%9F%98%80")).isEqualTo("😀");
        assertThat(path("%25")).isEqualTo("%");
        assertThat(path("%2520")).as("decoded once only").isEqualTo("%20");
        assertThat(path("%00")).isEqualTo("\u0000");
    }

    @Test
    void rawLatin1CharactersStandForTheirBytes() {
        // A request line is read as ISO-8859-1, so raw UTF-8 bytes arrive as one char per byte.
        assertThat(path("\u00c3\u00a9")).isEqualTo("é");
    }

    @Test
    void plusIsASpaceInQueriesOnly() {
        assertThat(query("a+b")).isEqualTo("a b");
        assertThat(path("a+b")).isEqualTo("a+b");
        assertThat(query("a%2Bb")).isEqualTo("a+b");
        assertThat(path("a%2Bb")).isEqualTo("a+b");
        assertThat(query("%20+")).isEqualTo("  ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "%4", "%zz", "a%", "ab%4", "%G0", "%4g", "%%41", "% 41", "%+1"})
    void invalidEscapesAreRejected(String raw) {
        assertBadEncoding(raw, "invalid percent-escape");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "%C0%AF", // overlong '/'
        "%E0%80%AF", // overlong '/' in three bytes
        "%ED%A0%80", // encoded high surrogate
        "%ED%BF%BF", // encoded low surrogate
        "%C3%28", // invalid continuation byte
        "%E2%82", // truncated sequence
        "%80", // lone continuation byte
        "%FF", // never valid in UTF-8
        "%F4%90%80%80", // above U+10FFFF
        "\u00c3" // a raw lead byte with nothing after it
    })
    void invalidUtf8IsRejected(String raw) {
        assertBadEncoding(raw, "is not valid UTF-8");
    }

    @Test
    void charactersAboveLatin1CannotBeRaw() {
        assertBadEncoding("€", "raw non-Latin-1 character");
    }

    private static void assertBadEncoding(String raw, String messagePart) {
        for (boolean plusIsSpace : new boolean[] {false, true}) {
            ApiException e = catchThrowableOfType(ApiException.class,
                    () -> PercentCodec.decode(raw, "key", plusIsSpace));
            assertThat(e).as("'%s' must be refused (plusIsSpace=%s)", raw, plusIsSpace).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("bad_encoding");
            assertThat(e.getMessage()).startsWith("key ").contains(messagePart);
        }
    }

    @Test
    void encodeSegmentEscapesEverythingButUnreservedCharacters() {
        assertThat(PercentCodec.encodeSegment("aZ09-._~")).isEqualTo("aZ09-._~");
        assertThat(PercentCodec.encodeSegment("a/b c+d%")).isEqualTo("a%2Fb%20c%2Bd%25");
        assertThat(PercentCodec.encodeSegment("é😀")).isEqualTo("%C3%A9%F0%9F%98%80");
        assertThat(PercentCodec.encodeSegment("")).isEmpty();
    }

    @Test
    void encodeThenDecodeRoundTripsRandomText() {
        long seed = 16180339L;
        Random random = new Random(seed);
        String specials = "/+% ?&=#~._-\u0000\u007f";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(12);
            for (int c = 0; c < length; c++) {
                switch (random.nextInt(4)) {
                    case 0 -> sb.append(specials.charAt(random.nextInt(specials.length())));
                    case 1 -> sb.append((char) ('a' + random.nextInt(26)));
                    case 2 -> sb.appendCodePoint(0x80 + random.nextInt(0xd800 - 0x80));
                    default -> sb.appendCodePoint(0x10000 + random.nextInt(Character.MAX_CODE_POINT - 0xffff));
                }
            }
            String text = sb.toString();
            String encoded = PercentCodec.encodeSegment(text);
            assertThat(encoded).as("seed %d: %s", seed, encoded).matches("([A-Za-z0-9._~-]|%[0-9A-F]{2})*");
            assertThat(path(encoded)).as("seed %d: %s", seed, encoded).isEqualTo(text);
            assertThat(query(encoded)).as("seed %d: %s", seed, encoded).isEqualTo(text);
        }
    }
}
