package dev.quorum.check;

import dev.quorum.check.AppendKvModel.Call;
import dev.quorum.check.AppendKvModel.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a Jepsen key-value history of get / put / append, one Clojure map per line:
 * {@code {:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}}. Times are line numbers.
 * Every non-blank line must be such a map; keys other than :process, :type, :f, :key and :value (Jepsen's
 * :time, :index, :error) are ignored. {@code :fail} did not happen; {@code :info} and an invocation never
 * completed are of unknown outcome.
 */
public final class JepsenKvLog {
    private JepsenKvLog() {}

    private record Pending(long process, int line, Call call) {}

    public static List<Operation<Call, String>> read(Path file) throws IOException, HistoryFormatException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in);
        }
    }

    public static List<Operation<Call, String>> read(BufferedReader in) throws IOException, HistoryFormatException {
        List<Operation<Call, String>> ops = new ArrayList<>();
        Map<Long, Pending> pending = new LinkedHashMap<>();
        int n = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> m;
            try {
                m = EdnMap.parse(line);
            } catch (IllegalArgumentException e) {
                throw new HistoryFormatException(n, "not a Clojure map of an operation: " + e.getMessage());
            }
            long process = field(m, ":process", Long.class, n);
            String type = field(m, ":type", EdnMap.Keyword.class, n).name();
            Kind kind = kind(field(m, ":f", EdnMap.Keyword.class, n).name(), n);
            String key = field(m, ":key", String.class, n);
            Object value = m.get(":value");
            if (value == null) {
                throw new HistoryFormatException(n, "missing :value");
            }
            if (type.equals("invoke")) {
                if (pending.containsKey(process)) {
                    throw new HistoryFormatException(n, "process " + process
                            + " invokes again before its operation of line " + pending.get(process).line() + " completed");
                }
                pending.put(process, new Pending(process, n, invocation(kind, key, value, n)));
                continue;
            }
            Pending p = pending.remove(process);
            if (p == null) {
                throw new HistoryFormatException(n, "process " + process + " completes an operation it never invoked");
            }
            if (p.call().kind() != kind || !p.call().key().equals(key)) {
                throw new HistoryFormatException(n, "process " + process + " completes a different operation than it"
                        + " invoked on line " + p.line());
            }
            switch (type) {
                case "ok" -> ops.add(Operation.ok(process, p.line(), n, p.call(), output(p, value, n)));
                case "fail" -> { }
                case "info" -> ops.add(Operation.unknown(process, p.line(), p.call()));
                default -> throw new HistoryFormatException(n, "unknown :type :" + type
                        + " (expected :invoke, :ok, :fail or :info)");
            }
        }
        for (Pending p : pending.values()) {
            ops.add(Operation.unknown(p.process(), p.line(), p.call()));
        }
        return ops;
    }

    private static Call invocation(Kind kind, String key, Object value, int n) throws HistoryFormatException {
        if (kind == Kind.GET) {
            return new Call(kind, key, null);
        }
        if (!(value instanceof String s)) {
            throw new HistoryFormatException(n, "a " + kind.name().toLowerCase(Locale.ROOT) + " needs a string :value");
        }
        return new Call(kind, key, s);
    }

    private static String output(Pending p, Object value, int n) throws HistoryFormatException {
        if (p.call().kind() == Kind.GET) {
            if (!(value instanceof String s)) {
                throw new HistoryFormatException(n, "an ok get returns a string :value");
            }
            return s;
        }
        if (!p.call().value().equals(value)) {
            throw new HistoryFormatException(n, "completion :value differs from the invocation's (line " + p.line() + ")");
        }
        return "";
    }

    private static Kind kind(String f, int n) throws HistoryFormatException {
        return switch (f) {
            case "get" -> Kind.GET;
            case "put" -> Kind.PUT;
            case "append" -> Kind.APPEND;
            default -> throw new HistoryFormatException(n, "unknown :f :" + f + " (expected :get, :put or :append)");
        };
    }

    private static <T> T field(Map<String, Object> m, String name, Class<T> type, int n) throws HistoryFormatException {
        Object v = m.get(name);
        if (v == null) {
            throw new HistoryFormatException(n, "missing " + name);
        }
        if (!type.isInstance(v)) {
            throw new HistoryFormatException(n, name + " has the wrong type: " + v);
        }
        return type.cast(v);
    }
}
