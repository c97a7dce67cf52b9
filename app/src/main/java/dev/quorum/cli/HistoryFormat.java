package dev.quorum.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** The history formats {@code quorum check} reads (docs/consistency.md). */
enum HistoryFormat {
    QUORUM("quorum", false),
    JEPSEN_ETCD("jepsen-etcd", true),
    JEPSEN_KV("jepsen-kv", true);

    private final String label;
    private final boolean timesAreLineNumbers;

    HistoryFormat(String label, boolean timesAreLineNumbers) {
        this.label = label;
        this.timesAreLineNumbers = timesAreLineNumbers;
    }

    String label() {
        return label;
    }

    /** Jepsen logs carry no times: their readers use line numbers. */
    boolean timesAreLineNumbers() {
        return timesAreLineNumbers;
    }

    static final class Converter implements CommandLine.ITypeConverter<HistoryFormat> {
        @Override
        public HistoryFormat convert(String value) {
            for (HistoryFormat f : values()) {
                if (f.label.equals(value)) {
                    return f;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a history format: expected one of "
                    + Arrays.stream(values()).map(HistoryFormat::label).collect(Collectors.joining(", ")));
        }
    }
}
