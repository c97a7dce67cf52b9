package dev.quorum.agent.store;

import java.util.Comparator;

/**
 * The order keys are listed in everywhere: by their UTF-8 bytes, which is SQLite's BINARY collation.
 * (Java's {@code String.compareTo} orders by UTF-16 units, which differs above U+FFFF.)
 */
public final class KeyOrder {
    private KeyOrder() {}

    public static final Comparator<String> UTF8 = KeyOrder::compare;

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                // Code point order equals UTF-8 byte order.
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
