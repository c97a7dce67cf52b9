package dev.quorum.check;

import dev.quorum.check.CasRegisterModel.Call;
import dev.quorum.check.CasRegisterModel.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Jepsen etcd log (a compare-and-set register), for example
 * {@code INFO  jepsen.util - 3	:ok	:cas	[1 4]}. Times are line numbers.
 *
 * <ul>
 *   <li>A line is an event when a numeric process follows {@code jepsen.util -}; other lines (set-up,
 *       tear-down, the nemesis) are skipped. An event line that does not parse is an error.
 *   <li>{@code :ok} happened; {@code :fail :cas} is an observation that the compare did not match (the
 *       register was not changed); any other {@code :fail} (a timed-out read) did not happen and is dropped;
 *       {@code :info} and an invocation never completed are of unknown outcome, open to the end.
 * </ul>
 */
public final class JepsenEtcdLog {
    private static final Pattern EVENT = Pattern.compile("^.*?\\bjepsen\\.util\\s+-\\s+(\\d+)\\s+(.*)$");
    private static final Pattern BODY = Pattern.compile("^:(\\w+)\\s+:(\\w+)\\s*(.*?)\\s*$");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");
    private static final Pattern PAIR = Pattern.compile("^\\[\\s*(-?\\d+)\\s+(-?\\d+)\\s*]$");

    private JepsenEtcdLog() {}

    private record Pending(long process, int line, String f, Call call) {}

    public static List<Operation<Call, Reply>> read(Path file) throws IOException, HistoryFormatException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in);
        }
    }

    public static List<Operation<Call, Reply>> read(BufferedReader in) throws IOException, HistoryFormatException {
        List<Operation<Call, Reply>> ops = new ArrayList<>();
        Map<Long, Pending> pending = new LinkedHashMap<>();
        int n = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            n++;
            Matcher event = EVENT.matcher(line);
            if (!event.matches()) {
                continue;
            }
            long process = parseProcess(event.group(1), n);
            Matcher body = BODY.matcher(event.group(2));
            if (!body.matches()) {
                throw new HistoryFormatException(n, "not an event: expected :TYPE :F VALUE, got \"" + event.group(2) + "\"");
            }
            String type = body.group(1);
            String f = body.group(2);
            String value = body.group(3);
            if (type.equals("invoke")) {
                if (pending.containsKey(process)) {
                    throw new HistoryFormatException(n, "process " + process + " invokes again before its operation of line "
                            + pending.get(process).line() + " completed");
                }
                pending.put(process, new Pending(process, n, f, invocation(f, value, n)));
                continue;
            }
            Pending p = pending.remove(process);
            if (p == null) {
                throw new HistoryFormatException(n, "process " + process + " completes an operation it never invoked");
            }
            if (!p.f().equals(f)) {
                throw new HistoryFormatException(n, "process " + process + " invoked :" + p.f() + " (line " + p.line()
                        + ") but completes :" + f);
            }
            Operation<Call, Reply> op = completion(p, type, value, n);
            if (op != null) {
                ops.add(op);
            }
        }
        for (Pending p : pending.values()) {
            ops.add(Operation.unknown(p.process(), p.line(), p.call()));
        }
        return ops;
    }

    private static Call invocation(String f, String value, int n) throws HistoryFormatException {
        return switch (f) {
            case "read" -> {
                if (!value.equals("nil")) {
                    throw new HistoryFormatException(n, "a read is invoked with nil, got \"" + value + "\"");
                }
                yield Call.read();
            }
            case "write" -> Call.write(number(value, n));
            case "cas" -> {
                Matcher m = PAIR.matcher(value);
                if (!m.matches()) {
                    throw new HistoryFormatException(n, "a cas takes [FROM TO], got \"" + value + "\"");
                }
                yield Call.cas(m.group(1), m.group(2));
            }
            default -> throw new HistoryFormatException(n, "unknown operation :" + f + " (expected :read, :write or :cas)");
        };
    }

    /** The completed operation, or null when it is dropped (a definite failure). */
    private static Operation<Call, Reply> completion(Pending p, String type, String value, int n)
            throws HistoryFormatException {
        Call call = p.call();
        return switch (type) {
            case "ok" -> switch (call.kind()) {
                case READ -> Operation.ok(p.process(), p.line(), n, call,
                        Reply.read(value.equals("nil") ? Optional.empty() : Optional.of(number(value, n))));
                case WRITE, CAS -> {
                    sameValue(p, value, n);
                    yield Operation.ok(p.process(), p.line(), n, call, Reply.OK);
                }
            };
            case "fail" -> {
                if (call.kind() == CasRegisterModel.Kind.CAS) {
                    sameValue(p, value, n);
                    yield Operation.ok(p.process(), p.line(), n, call, Reply.NOT_MATCHED);
                }
                yield null;
            }
            case "info" -> Operation.unknown(p.process(), p.line(), call);
            default -> throw new HistoryFormatException(n, "unknown event type :" + type
                    + " (expected :invoke, :ok, :fail or :info)");
        };
    }

    private static void sameValue(Pending p, String value, int n) throws HistoryFormatException {
        String invoked = switch (p.call().kind()) {
            case WRITE -> p.call().value();
            case CAS -> "[" + p.call().expected() + " " + p.call().value() + "]";
            case READ -> "nil";
        };
        if (!value.replaceAll("\\s+", " ").equals(invoked)) {
            throw new HistoryFormatException(n, "completion value " + value + " differs from the invocation's "
                    + invoked + " (line " + p.line() + ")");
        }
    }

    private static String number(String value, int n) throws HistoryFormatException {
        if (!NUMBER.matcher(value).matches()) {
            throw new HistoryFormatException(n, "expected a number, got \"" + value + "\"");
        }
        return value;
    }

    private static long parseProcess(String digits, int n) throws HistoryFormatException {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new HistoryFormatException(n, "process number out of range: " + digits);
        }
    }
}
