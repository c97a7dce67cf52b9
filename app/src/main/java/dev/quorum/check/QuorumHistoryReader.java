package dev.quorum.check;

import dev.quorum.client.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Quorum history (docs/consistency.md, "History format"): JSON lines, one operation per line, in any
 * order. Strict: a line that is not exactly one well-formed operation is an error naming its line number,
 * never skipped. Blank lines are ignored.
 */
public final class QuorumHistoryReader {
    private static final Set<String> FIELDS =
            Set.of("process", "op", "key", "value", "invoke_ns", "complete_ns", "outcome");

    private QuorumHistoryReader() {}

    public static List<Operation<KvCall, Optional<String>>> read(Path file) throws IOException, HistoryFormatException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in);
        }
    }

    public static List<Operation<KvCall, Optional<String>>> read(BufferedReader in)
            throws IOException, HistoryFormatException {
        List<Operation<KvCall, Optional<String>>> ops = new ArrayList<>();
        int n = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            n++;
            if (!line.isBlank()) {
                ops.add(parse(line, n));
            }
        }
        return ops;
    }

    /** One line of a history; {@code lineNo} only labels errors. */
    public static Operation<KvCall, Optional<String>> parse(String line, int lineNo) throws HistoryFormatException {
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(line);
        } catch (JacksonException e) {
            throw new HistoryFormatException(lineNo, "not valid JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            throw new HistoryFormatException(lineNo, "expected a JSON object, one operation per line");
        }
        for (Iterator<String> it = o.propertyNames().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new HistoryFormatException(lineNo, "unknown field \"" + name + "\"");
            }
        }
        long process = longField(o, "process", lineNo);
        String opName = stringField(o, "op", lineNo);
        String key = stringField(o, "key", lineNo);
        Outcome outcome = outcome(stringField(o, "outcome", lineNo), lineNo);
        long invoke = longField(o, "invoke_ns", lineNo);
        if (invoke < 0) {
            throw new HistoryFormatException(lineNo, "invoke_ns must not be negative, got " + invoke);
        }
        OptionalLong complete = completion(o, outcome, invoke, lineNo);
        JsonNode value = o.get("value");
        KvCall call;
        Optional<String> output = null;
        switch (opName) {
            case "put" -> {
                if (value == null || !value.isString()) {
                    throw new HistoryFormatException(lineNo, "a put needs \"value\", the string it wrote");
                }
                call = KvCall.put(key, checked(value.asString(), "value", lineNo));
                output = Optional.empty();
            }
            case "delete" -> {
                if (value != null && !value.isNull()) {
                    throw new HistoryFormatException(lineNo, "a delete has no \"value\"");
                }
                call = KvCall.delete(key);
                output = Optional.empty();
            }
            case "get" -> {
                call = KvCall.get(key);
                output = readValue(value, outcome, lineNo);
            }
            default -> throw new HistoryFormatException(lineNo,
                    "unknown op \"" + opName + "\" (expected put, get or delete)");
        }
        return new Operation<>(process, invoke, complete, call, outcome == Outcome.OK ? output : null, outcome);
    }

    private static Optional<String> readValue(JsonNode value, Outcome outcome, int lineNo)
            throws HistoryFormatException {
        if (outcome != Outcome.OK) {
            if (value != null && !value.isNull()) {
                throw new HistoryFormatException(lineNo, "a get that is not ok read nothing: drop \"value\"");
            }
            return Optional.empty();
        }
        if (value == null) {
            throw new HistoryFormatException(lineNo,
                    "an ok get needs \"value\": the string it read, or null when the key was absent");
        }
        if (value.isNull()) {
            return Optional.empty();
        }
        if (!value.isString()) {
            throw new HistoryFormatException(lineNo, "\"value\" must be a string or null");
        }
        return Optional.of(checked(value.asString(), "value", lineNo));
    }

    private static OptionalLong completion(JsonNode o, Outcome outcome, long invoke, int lineNo)
            throws HistoryFormatException {
        JsonNode c = o.get("complete_ns");
        if (outcome == Outcome.UNKNOWN) {
            if (c != null && !c.isNull()) {
                throw new HistoryFormatException(lineNo,
                        "an operation of unknown outcome has no complete_ns (it stays open to the end)");
            }
            return OptionalLong.empty();
        }
        long complete = longField(o, "complete_ns", lineNo);
        if (complete < invoke) {
            throw new HistoryFormatException(lineNo,
                    "complete_ns " + complete + " is before invoke_ns " + invoke);
        }
        return OptionalLong.of(complete);
    }

    private static Outcome outcome(String s, int lineNo) throws HistoryFormatException {
        return switch (s) {
            case "ok" -> Outcome.OK;
            case "fail" -> Outcome.FAIL;
            case "unknown" -> Outcome.UNKNOWN;
            default -> throw new HistoryFormatException(lineNo,
                    "unknown outcome \"" + s + "\" (expected ok, fail or unknown)");
        };
    }

    private static long longField(JsonNode o, String name, int lineNo) throws HistoryFormatException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) {
            throw new HistoryFormatException(lineNo, "missing field \"" + name + "\"");
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new HistoryFormatException(lineNo, "\"" + name + "\" must be an integer (64-bit), got " + n);
        }
        return n.asLong();
    }

    private static String stringField(JsonNode o, String name, int lineNo) throws HistoryFormatException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) {
            throw new HistoryFormatException(lineNo, "missing field \"" + name + "\"");
        }
        if (!n.isString()) {
            throw new HistoryFormatException(lineNo, "\"" + name + "\" must be a string, got " + n);
        }
        return checked(n.asString(), name, lineNo);
    }

    private static String checked(String s, String name, int lineNo) throws HistoryFormatException {
        if (!Json.wellFormed(s)) {
            throw new HistoryFormatException(lineNo, "\"" + name + "\" is not well-formed Unicode (lone surrogate)");
        }
        return s;
    }
}
