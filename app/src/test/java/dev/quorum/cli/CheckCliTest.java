package dev.quorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.check.KvCall;
import dev.quorum.check.Operation;
import dev.quorum.check.QuorumHistoryWriter;
import dev.quorum.client.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code quorum check} end to end: arguments in, verdict line, details and exit status out. */
class CheckCliTest {
    @TempDir
    Path dir;

    @SafeVarargs
    private Path history(Operation<KvCall, Optional<String>>... ops) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Operation<KvCall, Optional<String>> op : ops) {
            lines.add(QuorumHistoryWriter.line(op));
        }
        Path p = Files.createTempFile(dir, "history", ".jsonl");
        Files.write(p, lines);
        return p;
    }

    private static Operation<KvCall, Optional<String>> put(long p, long from, long to, String key, String value) {
        return Operation.ok(p, from, to, KvCall.put(key, value), Optional.empty());
    }

    private static Operation<KvCall, Optional<String>> get(long p, long from, long to, String key, String value) {
        return Operation.ok(p, from, to, KvCall.get(key), Optional.ofNullable(value));
    }

    // ------------------------------------------------------------------ causal

    @Test
    void aCausalHistoryExitsZeroWithOneVerdictLine() throws IOException {
        Path h = history(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "a"));
        CliRun r = CliRun.of("check", "--model", "causal", h.toString());
        assertThat(r.status()).isEqualTo(0);
        assertThat(r.firstLine()).matches("causal: 2 sessions, 3 operations, 1 key, checked in \\d+ ms");
        assertThat(r.out().lines()).hasSize(1);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void anomaliesExitOneWithTheVerdictLineFirstThenTheChains() throws IOException {
        Path h = history(put(2, 0, 10, "k7", "a"), get(1, 20, 30, "k7", "a"), put(1, 40, 50, "k7", "b"),
                get(1, 60, 70, "k7", "a"));
        CliRun r = CliRun.of("check", "--model", "causal", h.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.firstLine()).isEqualTo("not causal: 1 anomaly (read-your-writes on key k7)");
        assertThat(r.out()).contains("by kind: read-your-writes 1")
                .contains("read-your-writes on key \"k7\":")
                .contains("-> (session order) process 1  60 .. 70  ok  get \"k7\" -> \"a\"")
                .contains("-> (read from) process 1  20 .. 30  ok  get \"k7\" -> \"a\"");
    }

    @Test
    void causalJson() throws IOException {
        Path h = history(put(1, 0, 10, "k", "a"), get(1, 20, 30, "k", null));
        CliRun r = CliRun.of("check", "--model", "causal", "--json", h.toString());
        assertThat(r.status()).isEqualTo(1);
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertThat(json.get("verdict").asString()).isEqualTo("not-causal");
        assertThat(json.get("sessions").asInt()).isEqualTo(1);
        assertThat(json.get("anomalies").get(0).get("kind").asString()).isEqualTo("read-your-writes");
        assertThat(json.has("stale_reads")).isFalse();
    }

    @Test
    void causalNeedsAQuorumHistory() throws IOException, URISyntaxException {
        Path etcd = Path.of(CheckCliTest.class.getResource("/linearizability/etcd/etcd_000.log").toURI());
        CliRun r = CliRun.of("check", "--model", "causal", "--format", "jepsen-etcd", etcd.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--model causal checks Quorum key-value histories only (--format quorum)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aSessionRunningTwoOperationsAtOnceIsBadInputForCausal() throws IOException {
        Path h = history(put(1, 0, 100, "k", "a"), get(1, 50, 60, "k", "a"));
        CliRun r = CliRun.of("check", "--model", "causal", h.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("cannot be checked for causal consistency")
                .contains("process 1 runs two operations at once");
        // The same history is fine for linearizability, which takes processes as labels only.
        assertThat(CliRun.of("check", h.toString()).status()).isEqualTo(0);
    }

    @Test
    void aMalformedLineIsBadInputForCausal() throws IOException {
        Path h = dir.resolve("bad.jsonl");
        Files.writeString(h, "{\"process\":1,\"op\":\"get\"}\n");
        CliRun r = CliRun.of("check", "--model", "causal", h.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("is not a valid quorum history: line 1:");
    }

    @Test
    void aMissingFileIsBadInput() {
        CliRun r = CliRun.of("check", "--model", "causal", dir.resolve("nope.jsonl").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("no such file");
    }

    // ------------------------------------------------------------------ linearizable (unchanged)

    @Test
    void linearizableIsStillTheDefault() throws IOException {
        Path good = history(put(1, 0, 10, "k", "a"), get(2, 20, 30, "k", "a"));
        CliRun r = CliRun.of("check", good.toString());
        assertThat(r.status()).isEqualTo(0);
        assertThat(r.firstLine()).startsWith("linearizable: 1 key, 2 operations");
        Path bad = history(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "a"));
        CliRun b = CliRun.of("check", "--model", "linearizable", bad.toString());
        assertThat(b.status()).isEqualTo(1);
        assertThat(b.firstLine()).startsWith("NOT linearizable: a violation on key \"k\"");
    }

    // ------------------------------------------------------------------ --stale-reads

    @Test
    void staleReadsArePrintedAfterTheVerdictAndDoNotChangeTheExitStatus() throws IOException {
        // Causal (p2 never saw b) but stale in real time.
        Path h = history(put(1, 0, 10, "k", "a"), put(1, 20, 30, "k", "b"), get(2, 40, 50, "k", "a"));
        CliRun r = CliRun.of("check", "--model", "causal", "--stale-reads", h.toString());
        assertThat(r.status()).isEqualTo(0);
        assertThat(r.firstLine()).startsWith("causal: ");
        assertThat(r.out()).contains("stale reads: 1 of 1 successful reads (100.00%)").contains("examples:");

        CliRun lin = CliRun.of("check", "--stale-reads", h.toString());
        assertThat(lin.status()).isEqualTo(1);
        assertThat(lin.firstLine()).startsWith("NOT linearizable");
        assertThat(lin.out()).contains("stale reads: 1 of 1");
    }

    @Test
    void staleReadsInJson() throws IOException {
        Path h = history(put(1, 0, 10, "k", "a"), get(2, 20, 30, "k", "a"));
        for (String model : List.of("causal", "linearizable")) {
            CliRun r = CliRun.of("check", "--model", model, "--stale-reads", "--json", h.toString());
            assertThat(r.status()).isEqualTo(0);
            JsonNode json = Json.MAPPER.readTree(r.out());
            assertThat(json.get("stale_reads").get("ok_reads").asInt()).isEqualTo(1);
            assertThat(json.get("stale_reads").get("stale_reads").asInt()).isEqualTo(0);
        }
    }

    @Test
    void staleReadsAreSkippedForJepsenHistories() throws URISyntaxException {
        Path etcd = Path.of(CheckCliTest.class.getResource("/linearizability/etcd/etcd_000.log").toURI());
        CliRun plain = CliRun.of("check", "--format", "jepsen-etcd", etcd.toString());
        CliRun r = CliRun.of("check", "--format", "jepsen-etcd", "--stale-reads", etcd.toString());
        assertThat(r.status()).isEqualTo(plain.status());
        assertThat(r.err()).contains("--stale-reads measures Quorum key-value histories only");
    }

    @Test
    void helpNamesBothModelsAndTheExitStatuses() {
        CliRun r = CliRun.of("check", "--help");
        assertThat(r.status()).isEqualTo(0);
        assertThat(r.out()).contains("--stale-reads").contains("causal+").contains("not causal")
                .contains("never changes the exit status");
    }
}
