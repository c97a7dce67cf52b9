package dev.quorum.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @Test
    void anEmptyOrMissingKeyIsRejected() {
        assertThat(Keys.problem("")).contains("key is empty");
        assertThat(Keys.problem(null)).contains("key is empty");
    }

    @Test
    void keysUpTo512BytesOfUtf8AreAccepted() {
        String ascii = "a".repeat(512);
        String twoByte = "é".repeat(256);
        String threeByte = "€".repeat(170) + "ab";
        String fourByte = "😀".repeat(128);

        for (String key : new String[] {ascii, twoByte, threeByte, fourByte}) {
            assertThat(key.getBytes(StandardCharsets.UTF_8)).as("fixture").hasSize(512);
            assertThat(Keys.problem(key)).as("%d chars", key.length()).isEmpty();
        }
    }

    @Test
    void keysOf513BytesAreRejectedEvenWhenFewCharacters() {
        String ascii = "a".repeat(513);
        String twoByte = "é".repeat(256) + "a";
        String threeByte = "€".repeat(171);
        String fourByte = "😀".repeat(128) + "a";

        for (String key : new String[] {ascii, twoByte, threeByte, fourByte}) {
            assertThat(key.getBytes(StandardCharsets.UTF_8)).as("fixture").hasSize(513);
            assertThat(Keys.problem(key)).as("%d chars", key.length())
                    .contains("key is 513 bytes of UTF-8; the limit is 512");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x09, 0x0a, 0x1f, 0x7f, 0x80, 0x85, 0x9f})
    void controlCharactersAreRejected(int controlChar) {
        String key = "ab" + (char) controlChar + "cd";

        assertThat(Keys.problem(key)).contains(String.format("key contains control character U+%04X at index 2",
                controlChar));
        assertThat(Keys.problem(String.valueOf((char) controlChar))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\ud800", "a\udc00b", "ab\ud83d", "\ude00\ud83d", "x\ud83d\ud83d\ude00"})
    void loneSurrogatesAreRejected(String key) {
        assertThat(Keys.problem(key)).contains("key contains an unpaired surrogate (not valid Unicode)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "users/42/profile", "/", "a//b/", "with space", " ", "😀", "party/🎉/😀", "über", "日本語/キー",
        "\u00a0", "~!@#$%^&*()+=?", "\ud83d\ude00x"
    })
    void ordinaryKeysAreFine(String key) {
        assertThat(Keys.problem(key)).isEmpty();
    }
}
