package dev.quorum.export;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Backend lists and specs the export tests share. */
final class Specs {
    static final Instant AT = Instant.parse("2025-11-25T10:15:30.123Z");

    private Specs() {}

    static List<Backend> three() {
        return Backends.parse(List.of("http://127.0.0.1:7101", "http://127.0.0.1:7102", "http://127.0.0.1:7103"));
    }

    static ExportSpec plain(Strategy s) {
        return ExportSpec.of(three(), s, 7100);
    }

    /** n1 weight 3, n2 backup (where nginx allows it), n3 drain: every server parameter at once. */
    static ExportSpec everyFlag(Strategy s, boolean withBackup) {
        List<Backend> b = Backends.apply(three(), Map.of("n1", 3), withBackup ? List.of("n2") : List.of(),
                List.of("n3"));
        return ExportSpec.of(b, s, 7100);
    }

    /** The text without its comment lines: what the proxy reads. */
    static String directives(String conf) {
        return String.join("\n", conf.lines().filter(l -> !l.strip().startsWith("#")).toList());
    }

    /** Whether nginx can put backup servers under this strategy (not with hash or random). */
    static boolean nginxAllowsBackup(Strategy s) {
        return s != Strategy.CONSISTENT_HASH && s != Strategy.POWER_OF_TWO_CHOICES;
    }
}
