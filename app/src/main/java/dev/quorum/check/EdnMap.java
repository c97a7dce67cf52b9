package dev.quorum.check;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses one Clojure/EDN map of scalars, as Jepsen prints history lines:
 * {@code {:process 0, :type :ok, :f :get, :key "4", :value nil}}. Keys are keywords (the map's keys keep their
 * colon: {@code ":process"}); values are {@link Keyword}s, strings, integers (as {@link Long}) or {@code nil} (as
 * {@link #NIL}). Commas are whitespace. Nested collections are not supported.
 */
final class EdnMap {
    /** A keyword value, named without its colon. */
    record Keyword(String name) {
        @Override
        public String toString() {
            return ":" + name;
        }
    }

    /** The value of {@code nil} (maps hold no nulls). */
    static final Object NIL = new Object() {
        @Override
        public String toString() {
            return "nil";
        }
    };

    private final String s;
    private int i;

    private EdnMap(String s) {
        this.s = s;
    }

    /** @throws IllegalArgumentException with a message saying what was expected where */
    static Map<String, Object> parse(String line) {
        return new EdnMap(line).map();
    }

    private Map<String, Object> map() {
        skipSpace();
        expect('{');
        Map<String, Object> m = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek() == '}') {
                i++;
                break;
            }
            if (peek() != ':') {
                throw error("a keyword key");
            }
            String key = keyword();
            skipSpace();
            Object value = scalar();
            if (m.put(key, value) != null) {
                throw new IllegalArgumentException("duplicate key " + key);
            }
        }
        skipSpace();
        if (i != s.length()) {
            throw error("the end of the line after the map");
        }
        return m;
    }

    private Object scalar() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == ':') {
            return new Keyword(keyword().substring(1));
        }
        int start = i;
        while (i < s.length() && !isDelimiter(s.charAt(i))) {
            i++;
        }
        String token = s.substring(start, i);
        if (token.equals("nil")) {
            return NIL;
        }
        if (token.matches("-?\\d{1,18}")) {
            return Long.parseLong(token);
        }
        i = start;
        throw error("a string, keyword, integer or nil");
    }

    private String keyword() {
        int start = i;
        i++;
        while (i < s.length() && !isDelimiter(s.charAt(i))) {
            i++;
        }
        if (i == start + 1) {
            throw error("a keyword name");
        }
        return s.substring(start, i);
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        i++;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '"', '\\' -> b.append(e);
                    default -> throw new IllegalArgumentException("unsupported escape \\" + e + " at column " + i);
                }
            } else {
                b.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    private static boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || c == ',' || c == '}' || c == '{' || c == '"';
    }

    private void skipSpace() {
        while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw error("more (the line ended)");
        }
        return s.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        i++;
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("expected " + expected + " at column " + (i + 1));
    }
}
