package dev.quorum.agent.store;

import dev.quorum.client.Json;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What makes a key: 1–512 bytes of UTF-8, well-formed, without control characters. */
public final class Keys {
    public static final int MAX_KEY_BYTES = 512;

    private Keys() {}

    /** Why the key is unacceptable, or empty when it is fine. */
    public static Optional<String> problem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("key is empty");
        }
        if (!Json.wellFormed(key)) {
            return Optional.of("key contains an unpaired surrogate (not valid Unicode)");
        }
        for (int i = 0; i < key.length(); ) {
            int cp = key.codePointAt(i);
            if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
                return Optional.of(String.format("key contains control character U+%04X at index %d", cp, i));
            }
            i += Character.charCount(cp);
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            return Optional.of("key is " + bytes + " bytes of UTF-8; the limit is " + MAX_KEY_BYTES);
        }
        return Optional.empty();
    }
}
