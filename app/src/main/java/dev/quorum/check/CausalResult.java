package dev.quorum.check;

import dev.quorum.client.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The verdict of {@link CausalChecker} on a whole history.
 *
 * @param causal true when no anomaly was found
 * @param operations operations in the history, failed and unknown ones included
 * @param sessions processes (client sessions) in the history
 * @param keys distinct keys
 * @param readsChecked successful gets checked
 * @param anomalyCount anomalies found in all (only the first {@code anomalies.size()} are described)
 * @param byKind anomalies found per kind (wire names), in {@link CausalAnomaly.Kind} order
 * @param anomalies the anomalies described, at most the checker's limit
 */
public record CausalResult(
        boolean causal,
        int operations,
        int sessions,
        int keys,
        int readsChecked,
        int anomalyCount,
        Map<String, Integer> byKind,
        List<CausalAnomaly> anomalies,
        Duration elapsed) {

    public CausalResult {
        byKind = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byKind));
        anomalies = List.copyOf(anomalies);
    }

    /** {@code causal} or {@code not-causal}. */
    public String verdict() {
        return causal ? "causal" : "not-causal";
    }

    /** The machine-readable form: verdict, counts, the anomalies described. */
    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("verdict", verdict());
        root.put("operations", operations);
        root.put("sessions", sessions);
        root.put("keys", keys);
        root.put("reads_checked", readsChecked);
        root.put("elapsed_ms", elapsed.toMillis());
        root.put("anomaly_count", anomalyCount);
        ObjectNode kinds = root.putObject("anomalies_by_kind");
        byKind.forEach(kinds::put);
        ArrayNode list = root.putArray("anomalies");
        anomalies.forEach(a -> list.add(Json.MAPPER.valueToTree(a)));
        return root;
    }
}
