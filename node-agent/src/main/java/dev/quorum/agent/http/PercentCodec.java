package dev.quorum.agent.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict percent-decoding of raw URI parts into UTF-8 text. Unlike {@code URI.getPath()}, it never
 * turns a malformed escape or an invalid UTF-8 sequence (overlong forms, encoded surrogates) into
 * U+FFFD — that would let different raw keys alias one stored key — but refuses it with a 400.
 */
public final class PercentCodec {
    private PercentCodec() {}

    /**
     * @param raw the raw (still encoded) text; characters above U+00FF cannot occur in a raw request line
     * @param what what is being decoded, for the error message ("key", "query parameter 'prefix'")
     * @param plusIsSpace true for query strings (form encoding), false for paths
     */
    public static String decode(String raw, String what, boolean plusIsSpace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw ApiException.badRequest("bad_encoding",
                            what + " has an invalid percent-escape at offset " + i + ": use %XX with two hex digits");
                }
                bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else if (c > 0xff) {
                throw ApiException.badRequest("bad_encoding", what + " contains a raw non-Latin-1 character");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("bad_encoding", what + " is not valid UTF-8 once percent-decoded");
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Encodes a key for a URL path segment (everything but unreserved characters escaped). */
    public static String encodeSegment(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int u = b & 0xff;
            if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
                    || u == '-' || u == '.' || u == '_' || u == '~') {
                sb.append((char) u);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 15, 16)));
            }
        }
        return sb.toString();
    }
}
