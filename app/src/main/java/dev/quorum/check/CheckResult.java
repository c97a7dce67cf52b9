package dev.quorum.check;

import dev.quorum.client.Json;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The verdict on a whole history: not linearizable if any key is not; otherwise unknown if any key is
 * undecided; otherwise linearizable.
 *
 * @param keys one result per key, sorted by key
 * @param operations operations checked, over all keys
 */
public record CheckResult(Verdict verdict, List<KeyResult> keys, int operations, Duration elapsed) {

    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        keys = List.copyOf(keys);
    }

    static CheckResult of(List<KeyResult> keys, Duration elapsed) {
        Verdict v = Verdict.LINEARIZABLE;
        for (KeyResult k : keys) {
            if (k.verdict() == Verdict.NOT_LINEARIZABLE) {
                v = Verdict.NOT_LINEARIZABLE;
                break;
            }
            if (k.verdict() == Verdict.UNKNOWN) {
                v = Verdict.UNKNOWN;
            }
        }
        int ops = keys.stream().mapToInt(KeyResult::operations).sum();
        return new CheckResult(v, keys, ops, elapsed);
    }

    public List<Violation> violations() {
        return keys.stream().map(KeyResult::violation).filter(Objects::nonNull).toList();
    }

    /** Keys left undecided, stopped ones included. */
    public List<KeyResult> undecided() {
        return keys.stream().filter(k -> k.verdict() == Verdict.UNKNOWN).toList();
    }

    /** The machine-readable form: verdict, counts, every violation, every undecided key and why. */
    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("verdict", verdict.wireName());
        root.put("keys", keys.size());
        root.put("operations", operations);
        root.put("elapsed_ms", elapsed.toMillis());
        ArrayNode violations = root.putArray("violations");
        violations().forEach(v -> violations.add(Json.MAPPER.valueToTree(v)));
        ArrayNode undecided = root.putArray("undecided");
        for (KeyResult k : undecided()) {
            undecided.addObject().put("key", k.key()).put("reason", k.reason());
        }
        return root;
    }
}
