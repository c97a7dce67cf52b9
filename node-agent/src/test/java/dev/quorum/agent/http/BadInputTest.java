package dev.quorum.agent.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.agent.config.ClusterConfig;
import dev.quorum.agent.consistency.Consistency;
import dev.quorum.agent.consistency.HybridClock;
import dev.quorum.client.Json;
import dev.quorum.client.QuorumClient;
import dev.quorum.client.QuorumClient.Options;
import dev.quorum.testing.AgentCluster;
import dev.quorum.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Bad input against one real 3-node cluster (N=3, R=W=2, values up to 1024 bytes): every case is a
 * hand-written HTTP/1.1 request sent over a raw socket — client libraries would normalise the
 * malformed escapes, methods and framing under test — and must be answered with the exact status
 * and JSON error code, and change nothing: after every case each replica's rows (read from its
 * store), the known keys' values and versions (read through the API with R=3) and every node's
 * live configuration are compared with a snapshot taken just before the case, and the key the
 * request tried to write must still be absent. After the table the whole state is compared with
 * the one taken before it, {@code /admin/status} key counts included.
 *
 * <p>Cases marked with a {@code gap} document where the agent cannot answer as it should today;
 * they still check the status and that nothing changed, then are reported as aborted with the
 * reason, so the gap stays visible in every run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {
    private static final int MAX_VALUE_BYTES = 1024;
    private static final int HTTP_THREADS = 64;
    private static final String BEARER = "Bearer " + AgentCluster.TOKEN;
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
    /** A plausible hybrid-clock reading for records sent to /internal/batch. */
    private static final long HLC = HybridClock.of(System.currentTimeMillis(), 0);

    /** The JDK's HttpServer answers these itself, with a text/html 400, before any agent code runs. */
    private static final String JDK_REJECTS_URI = "the JDK HttpServer refuses the request line (URISyntaxException) "
            + "with its own text/html 400 before the agent sees it, so no JSON error body";
    private static final String JDK_REJECTS_FRAMING = "the JDK HttpServer refuses malformed framing headers with its "
            + "own text/html 400 before the agent sees them, so no JSON error body";

    /** Keys written before the table runs; every case must leave them exactly as they are. */
    private static final String KEY_A = "bi-a";
    private static final String KEY_B = "bi-ü/b";
    private static final String KEY_C = "bi-c";
    private static final String KEY_GONE = "bi-gone";
    private static final List<String> KNOWN = List.of(KEY_A, KEY_B, KEY_C, KEY_GONE);

    @TempDir
    static Path tempDir;

    private static AgentCluster cluster;
    private static QuorumClient[] clients;
    /** The state before the table ran; each case is compared with the state just before it, so a bug shows once. */
    private static Snapshot baseline;
    private static long[] keyCountBaseline;
    private static volatile boolean anyFailed;

    @RegisterExtension
    static final TestWatcher FAILURES = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            anyFailed = true;
        }
    };

    @BeforeAll
    static void startClusterAndWriteKnownKeys() {
        cluster = AgentCluster.start(tempDir, 3, "--max-value-bytes", Integer.toString(MAX_VALUE_BYTES),
                "--consistency", "eventual", "--n", "3", "--r", "2", "--w", "2", "--probe-interval-ms", "200",
                "--http-threads", Integer.toString(HTTP_THREADS));
        clients = new QuorumClient[] {cluster.client(0), cluster.client(1), cluster.client(2)};
        Options all = Options.w(3);
        byte[] binary = {0, 1, 2, (byte) 0xff, '\r', '\n'};
        byte[] atLimit = new byte[MAX_VALUE_BYTES];
        Arrays.fill(atLimit, (byte) 'c');
        assertThat(clients[0].put(KEY_A, "alpha".getBytes(UTF_8), "text/plain", all).status()).isEqualTo(200);
        assertThat(clients[1].put(KEY_B, binary, "application/octet-stream", all).status()).isEqualTo(200);
        assertThat(clients[2].put(KEY_C, atLimit, "text/plain", all).status()).isEqualTo(200);
        assertThat(clients[0].put(KEY_GONE, "soon gone".getBytes(UTF_8), "text/plain", all).status()).isEqualTo(200);
        assertThat(clients[0].delete(KEY_GONE, all).status()).isEqualTo(200);
        baseline = Snapshot.take();
        assertThat(baseline.known().values()).allMatch(v -> v.contains("@"), "every known key has a version");
        assertThat(baseline.replicas()).as("every replica holds the same rows")
                .allMatch(baseline.replicas().get(0)::equals);
        // /admin/status counts keys every 2 s: wait until each node has counted the three live keys.
        keyCountBaseline = new long[3];
        for (int i = 0; i < 3; i++) {
            int node = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> statusOf(node).get("keys").asLong() == 3);
            keyCountBaseline[i] = statusOf(i).get("keys").asLong();
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster == null) {
            return;
        }
        if (anyFailed) {
            System.err.println("---- agents of " + BadInputTest.class.getSimpleName() + " (" + tempDir + ")\n"
                    + cluster.diagnostics());
        }
        cluster.close();
    }

    // ------------------------------------------------------------------------------------------
    // The table

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Order(1)
    void badInputIsRefusedWithItsCodeAndChangesNothing(Case c) throws IOException {
        Snapshot before = Snapshot.take();
        assertProbeAbsent(c, "before the request");

        RawHttp.Response res = RawHttp.exchange(port(c.node()), c.request(port(c.node())), IO_TIMEOUT);

        assertThat(res.status()).as("%s: status; body: %s", c.name(), res.text()).isEqualTo(c.status());
        Snapshot.take().assertSameAs(before, c.name());
        assertProbeAbsent(c, "after the request");
        if (c.gap() != null) {
            Assumptions.assumeTrue(isJsonError(res, c.error()), "KNOWN GAP (" + c.name() + "): " + c.gap());
        }
        assertThat(res.header("Content-Type")).as("%s: content type", c.name()).startsWith("application/json");
        JsonNode body = Json.MAPPER.readTree(res.body());
        assertThat(body.isObject()).as("%s: body is a JSON object: %s", c.name(), res.text()).isTrue();
        assertThat(str(body.path("error"))).as("%s: error code; body: %s", c.name(), res.text())
                .isEqualTo(c.error());
        assertThat(str(body.path("message"))).as("%s: message", c.name()).isNotBlank();
        c.expectHeaders().forEach((name, value) ->
                assertThat(res.header(name)).as("%s: header %s", c.name(), name).isEqualTo(value));
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        keys(all);
        values(all);
        methods(all);
        endpoints(all);
        query(all);
        headers(all);
        auth(all);
        adminConfig(all);
        internalBatch(all);
        internalConfig(all);
        return all.stream();
    }

    private static void keys(List<Case> all) {
        String long513 = "k".repeat(513);
        String euro171 = "%E2%82%AC".repeat(171); // 171 × 3 bytes = 513 bytes of UTF-8
        for (String m : List.of("PUT", "GET", "DELETE")) {
            all.add(kv(m, "empty key", "/kv/").expect(400, "bad_key"));
            all.add(kv(m, "513-byte key", "/kv/" + long513).expect(400, "bad_key"));
            all.add(kv(m, "513-byte multi-byte key", "/kv/" + euro171).expect(400, "bad_key"));
            all.add(kv(m, "encoded NUL", "/kv/bi-x%00").expect(400, "bad_key"));
            all.add(kv(m, "encoded U+001F", "/kv/bi-x%1F").expect(400, "bad_key"));
            all.add(kv(m, "encoded DEL", "/kv/bi-x%7F").expect(400, "bad_key"));
            all.add(kv(m, "encoded C1 control U+0085", "/kv/bi-x%C2%85").expect(400, "bad_key"));
            all.add(kv(m, "overlong UTF-8 %C0%AF", "/kv/bi-x%C0%AF").expect(400, "bad_encoding"));
            all.add(kv(m, "encoded surrogate %ED%A0%80", "/kv/bi-x%ED%A0%80").expect(400, "bad_encoding"));
            all.add(kv(m, "invalid UTF-8 byte %FF", "/kv/bi-x%FF").expect(400, "bad_encoding"));
            all.add(kv(m, "code point above U+10FFFF", "/kv/bi-x%F4%90%80%80").expect(400, "bad_encoding"));
            all.add(kv(m, "raw Latin-1 byte 0xE9", "/kv/bi-x\u00e9").expect(400, "bad_encoding"));
            all.add(kv(m, "lone %", "/kv/bi-x%").expect(400, "bad_encoding").gap(JDK_REJECTS_URI));
            all.add(kv(m, "truncated %4", "/kv/bi-x%4").expect(400, "bad_encoding").gap(JDK_REJECTS_URI));
            all.add(kv(m, "non-hex %zz", "/kv/bi-x%zz").expect(400, "bad_encoding").gap(JDK_REJECTS_URI));
            all.add(kv(m, "raw control byte 0x01", "/kv/bi-x\u0001").expect(400, "bad_key").gap(JDK_REJECTS_URI));
            all.add(kv(m, "raw DEL byte", "/kv/bi-x\u007f").expect(400, "bad_key").gap(JDK_REJECTS_URI));
            all.add(kv(m, "raw UTF-8 of U+0085", "/kv/bi-x\u00c2\u0085").expect(400, "bad_key").gap(JDK_REJECTS_URI));
        }
    }

    private static void values(List<Case> all) {
        byte[] tooBig = filled(MAX_VALUE_BYTES + 1);
        all.add(put("value one byte over the limit", "/kv/bi-big", tooBig).expect(413, "too_large").probe("bi-big"));
        all.add(put("over-limit value on an existing key", "/kv/" + KEY_A, filled(4_000)).expect(413, "too_large"));
        all.add(put("Content-Length far over the limit, body never sent", "/kv/bi-big", null)
                .header("Content-Length", "50000000").expect(413, "too_large").probe("bi-big"));
        all.add(put("chunked value over the limit", "/kv/bi-big", RawHttp.chunked(filled(2_000), 300))
                .header("Transfer-Encoding", "chunked").expect(413, "too_large").probe("bi-big"));
        all.add(put("chunked value over the limit on an existing key", "/kv/" + KEY_C,
                RawHttp.chunked(filled(1_100), 1_100)).header("Transfer-Encoding", "chunked").expect(413, "too_large"));
        all.add(typed("Content-Type with a control character", "/kv/bi-ct", "text/plain\u0001x")
                .expect(400, "bad_header").probe("bi-ct"));
        all.add(typed("Content-Type with a raw non-ASCII byte", "/kv/" + KEY_A, "text/plain; charset=\u00e9")
                .expect(400, "bad_header"));
        all.add(typed("Content-Type of 256 characters", "/kv/bi-ct", "a/" + "b".repeat(254))
                .expect(400, "bad_header").probe("bi-ct"));
        all.add(typed("two Content-Type headers", "/kv/bi-ct", "text/plain").header("Content-Type", "text/html")
                .expect(400, "bad_header").probe("bi-ct"));
        all.add(put("Content-Length not a number", "/kv/bi-cl", null).header("Content-Length", "abc")
                .expect(400, "bad_request").probe("bi-cl").gap(JDK_REJECTS_FRAMING));
        all.add(put("Content-Length and Transfer-Encoding both", "/kv/bi-cl", RawHttp.chunked(text("xyz"), 3))
                .header("Content-Length", "8").header("Transfer-Encoding", "chunked")
                .expect(400, "bad_request").probe("bi-cl").gap(JDK_REJECTS_FRAMING));
    }

    private static void methods(List<Case> all) {
        String kvAllow = "GET, HEAD, PUT, DELETE";
        for (String m : List.of("PATCH", "POST", "OPTIONS", "TRACE", "get", "BREW")) {
            all.add(new Case(m + " /kv/{key}", m, "/kv/" + KEY_A).body(text("x"))
                    .expect(405, "method_not_allowed").expectHeader("Allow", kvAllow));
        }
        all.add(new Case("PATCH on an absent key", "PATCH", "/kv/bi-patch").body(text("x"))
                .expect(405, "method_not_allowed").expectHeader("Allow", kvAllow).probe("bi-patch"));
        for (String m : List.of("POST", "PUT", "DELETE")) {
            all.add(new Case(m + " /kv", m, "/kv").body(text("{}"))
                    .expect(405, "method_not_allowed").expectHeader("Allow", "GET, HEAD"));
        }
        all.add(new Case("PUT /health", "PUT", "/health").body(text("{}"))
                .expect(405, "method_not_allowed").expectHeader("Allow", "GET, HEAD"));
        all.add(new Case("POST /metrics", "POST", "/metrics").body(text("x"))
                .expect(405, "method_not_allowed").expectHeader("Allow", "GET, HEAD"));
        all.add(new Case("DELETE /admin/status", "DELETE", "/admin/status").auth()
                .expect(405, "method_not_allowed").expectHeader("Allow", "GET, HEAD"));
        all.add(new Case("DELETE /admin/config", "DELETE", "/admin/config").auth()
                .expect(405, "method_not_allowed").expectHeader("Allow", "GET, PUT"));
        all.add(new Case("POST /admin/config", "POST", "/admin/config").auth().body(text("{\"w\":1}"))
                .expect(405, "method_not_allowed").expectHeader("Allow", "GET, PUT"));
        all.add(new Case("GET /internal/batch", "GET", "/internal/batch").auth().on(1)
                .expect(405, "method_not_allowed").expectHeader("Allow", "POST"));
        all.add(new Case("PUT /internal/config", "PUT", "/internal/config").auth().on(1).body(text("{}"))
                .expect(405, "method_not_allowed").expectHeader("Allow", "GET, POST"));
    }

    private static void endpoints(List<Case> all) {
        for (String path : List.of("/", "/nope", "/kvx", "/KV/" + KEY_A, "/kv%2F" + KEY_A, "/admin", "/admin/",
                "/admin/nope", "/admin/config/extra", "/internal/nope", "/internal/batch/", "/health/", "/metrics/x")) {
            all.add(new Case("GET " + path, "GET", path).auth().expect(404, "not_found"));
        }
        all.add(new Case("PUT on an unknown endpoint", "PUT", "/v1/kv/bi-v1").body(text("x"))
                .expect(404, "not_found").probe("bi-v1"));
    }

    private static void query(List<Case> all) {
        all.add(kv("GET", "unknown parameter", "/kv/" + KEY_A + "?foo=1").expect(400, "bad_parameter"));
        all.add(kv("PUT", "unknown parameter", "/kv/bi-q?foo=1").expect(400, "bad_parameter").probe("bi-q"));
        all.add(kv("DELETE", "unknown parameter", "/kv/" + KEY_A + "?foo=1").expect(400, "bad_parameter"));
        all.add(kv("GET", "parameter with an empty name", "/kv/" + KEY_A + "?=1").expect(400, "bad_parameter"));
        all.add(kv("PUT", "parameter name not UTF-8", "/kv/bi-q?%FF=1").expect(400, "bad_encoding").probe("bi-q"));
        all.add(kv("GET", "duplicated trace", "/kv/" + KEY_A + "?trace=1&trace=1").expect(400, "bad_parameter"));
        all.add(kv("PUT", "duplicated trace", "/kv/bi-q?trace=true&trace=false").expect(400, "bad_parameter")
                .probe("bi-q"));
        all.add(kv("GET", "trace=maybe", "/kv/" + KEY_A + "?trace=maybe").expect(400, "bad_parameter"));
        all.add(kv("PUT", "trace=maybe", "/kv/bi-q?trace=maybe").expect(400, "bad_parameter").probe("bi-q"));
        all.add(kv("DELETE", "trace=maybe", "/kv/" + KEY_A + "?trace=maybe").expect(400, "bad_parameter"));
        all.add(list("unknown parameter", "?foo=1", "bad_parameter"));
        all.add(list("trace is not a list parameter", "?trace=true", "bad_parameter"));
        all.add(list("duplicated limit", "?limit=5&limit=6", "bad_parameter"));
        all.add(list("limit=0", "?limit=0", "bad_parameter"));
        all.add(list("limit=1001", "?limit=1001", "bad_parameter"));
        all.add(list("limit=-1", "?limit=-1", "bad_parameter"));
        all.add(list("limit=abc", "?limit=abc", "bad_parameter"));
        all.add(list("limit empty", "?limit=", "bad_parameter"));
        all.add(list("limit=1e3", "?limit=1e3", "bad_parameter"));
        all.add(list("limit beyond int", "?limit=99999999999", "bad_parameter"));
        all.add(list("prefix overlong UTF-8", "?prefix=%C0%AF", "bad_encoding"));
        all.add(list("prefix encoded surrogate", "?prefix=%ED%A0%80", "bad_encoding"));
        all.add(list("prefix with NUL", "?prefix=bi-%00", "bad_parameter"));
        all.add(list("prefix of 513 bytes", "?prefix=" + "p".repeat(513), "bad_parameter"));
        all.add(list("after with a control character", "?after=bi-%01", "bad_parameter"));
        all.add(list("after not UTF-8", "?after=%FF", "bad_encoding"));
        all.add(list("prefix non-hex escape", "?prefix=%zz", "bad_encoding").gap(JDK_REJECTS_URI));
    }

    private static void headers(List<Case> all) {
        all.add(kv("GET", "X-Quorum-R: 0", "/kv/" + KEY_A).header("X-Quorum-R", "0").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-R: 4 with N=3", "/kv/" + KEY_A).header("X-Quorum-R", "4")
                .expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-R: -1", "/kv/" + KEY_A).header("X-Quorum-R", "-1").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-R: abc", "/kv/" + KEY_A).header("X-Quorum-R", "abc").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-R: 2.0", "/kv/" + KEY_A).header("X-Quorum-R", "2.0").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-R empty", "/kv/" + KEY_A).header("X-Quorum-R", "").expect(400, "bad_header"));
        all.add(kv("PUT", "X-Quorum-W: -1", "/kv/bi-h").header("X-Quorum-W", "-1").expect(400, "bad_header")
                .probe("bi-h"));
        all.add(kv("PUT", "X-Quorum-W: two", "/kv/bi-h").header("X-Quorum-W", "two").expect(400, "bad_header")
                .probe("bi-h"));
        all.add(kv("PUT", "X-Quorum-W: 0 on an existing key", "/kv/" + KEY_A).header("X-Quorum-W", "0")
                .expect(400, "bad_header"));
        all.add(kv("PUT", "X-Quorum-W: 4 with N=3", "/kv/bi-h").header("X-Quorum-W", "4").expect(400, "bad_header")
                .probe("bi-h"));
        all.add(kv("DELETE", "X-Quorum-W: 9", "/kv/" + KEY_A).header("X-Quorum-W", "9").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-R given twice", "/kv/" + KEY_A).header("X-Quorum-R", "1")
                .header("X-Quorum-R", "3").expect(400, "bad_header"));
        all.add(kv("PUT", "X-Quorum-W given twice", "/kv/bi-h").header("X-Quorum-W", "1").header("X-Quorum-W", "3")
                .expect(400, "bad_header").probe("bi-h"));
        all.add(kv("DELETE", "X-Quorum-Consistency given twice", "/kv/" + KEY_A)
                .header("X-Quorum-Consistency", "eventual").header("X-Quorum-Consistency", "strong")
                .expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-Consistency: linearizable", "/kv/" + KEY_A)
                .header("X-Quorum-Consistency", "linearizable").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-Consistency: EVENTUAL (names are lower case)", "/kv/" + KEY_A)
                .header("X-Quorum-Consistency", "EVENTUAL").expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-Consistency: strong with R=1 (R + W not above N)", "/kv/" + KEY_A)
                .header("X-Quorum-Consistency", "strong").header("X-Quorum-R", "1").expect(400, "bad_header"));
        all.add(kv("PUT", "X-Quorum-Consistency: strong with W=1 (R + W not above N)", "/kv/bi-h")
                .header("X-Quorum-Consistency", "strong").header("X-Quorum-W", "1").expect(400, "bad_header")
                .probe("bi-h"));
        all.add(kv("PUT", "causal with a session token that is not base64url", "/kv/bi-h")
                .header("X-Quorum-Consistency", "causal").header("X-Quorum-Session", "n1:3!")
                .expect(400, "bad_header").probe("bi-h"));
        all.add(kv("PUT", "causal with a session token naming a non-member", "/kv/bi-h")
                .header("X-Quorum-Consistency", "causal").header("X-Quorum-Session", b64("n9:3"))
                .expect(400, "bad_header").probe("bi-h"));
        all.add(kv("PUT", "causal with a session token with a negative entry", "/kv/bi-h")
                .header("X-Quorum-Consistency", "causal").header("X-Quorum-Session", b64("n1:-1"))
                .expect(400, "bad_header").probe("bi-h"));
        all.add(kv("DELETE", "causal with a session token naming a node twice", "/kv/" + KEY_A)
                .header("X-Quorum-Consistency", "causal").header("X-Quorum-Session", b64("n1:1,n1:2"))
                .expect(400, "bad_header"));
        all.add(kv("GET", "causal with a session token of 5,000 characters", "/kv/" + KEY_A)
                .header("X-Quorum-Consistency", "causal").header("X-Quorum-Session", "A".repeat(5_000))
                .expect(400, "bad_header"));
        all.add(kv("GET", "X-Quorum-Trace: maybe", "/kv/" + KEY_A).header("X-Quorum-Trace", "maybe")
                .expect(400, "bad_header"));
        all.add(kv("PUT", "X-Quorum-Trace: maybe", "/kv/bi-h").header("X-Quorum-Trace", "maybe")
                .expect(400, "bad_header").probe("bi-h"));
    }

    private static void auth(List<Case> all) {
        String unauthorized = "Bearer realm=\"quorum\"";
        byte[] validBatch = text(batch("n1", putOp(record("\"bi-auth\"", HLC, "n1", b64("x"), false))));
        List<Case> guarded = List.of(
                new Case("GET /admin/status", "GET", "/admin/status"),
                new Case("GET /admin/config", "GET", "/admin/config"),
                new Case("PUT /admin/config with a valid change", "PUT", "/admin/config").body(text("{\"w\":1}")),
                new Case("POST /internal/batch with a valid put", "POST", "/internal/batch").on(1).body(validBatch)
                        .probe("bi-auth"),
                new Case("GET /internal/config", "GET", "/internal/config").on(1),
                new Case("POST /internal/config", "POST", "/internal/config").on(1)
                        .body(text(configJson(configWith(3, 1, 1, Consistency.EVENTUAL, HLC + 1_000)))));
        for (Case g : guarded) {
            all.add(g.named("no Authorization: " + g.name()).expect(401, "unauthorized")
                    .expectHeader("WWW-Authenticate", unauthorized));
            all.add(g.named("wrong token: " + g.name()).header("Authorization", "Bearer not-the-token")
                    .expect(403, "forbidden"));
            all.add(g.named("Basic auth: " + g.name())
                    .header("Authorization", "Basic " + b64("admin:" + AgentCluster.TOKEN)).expect(403, "forbidden"));
        }
        all.add(new Case("POST /admin/faults on an agent without --enable-faults", "POST", "/admin/faults").auth()
                .header("Content-Type", "application/json").body(text("{\"paused\":true}"))
                .expect(404, "faults_disabled"));
        all.add(new Case("POST /admin/faults without the token", "POST", "/admin/faults")
                .header("Content-Type", "application/json").body(text("{\"paused\":true}"))
                .expect(401, "unauthorized"));
        Case status = new Case("GET /admin/status", "GET", "/admin/status");
        all.add(status.named("empty Authorization").header("Authorization", "").expect(401, "unauthorized")
                .expectHeader("WWW-Authenticate", unauthorized));
        all.add(status.named("Bearer without a token").header("Authorization", "Bearer").expect(403, "forbidden"));
        all.add(status.named("token missing its last character")
                .header("Authorization", BEARER.substring(0, BEARER.length() - 1)).expect(403, "forbidden"));
        all.add(status.named("token with a suffix").header("Authorization", BEARER + "x").expect(403, "forbidden"));
        all.add(status.named("token in the query string instead of the header")
                .target("/admin/status?token=" + AgentCluster.TOKEN).expect(401, "unauthorized")
                .expectHeader("WWW-Authenticate", unauthorized));
    }

    private static void adminConfig(List<Case> all) {
        all.add(admin("invalid JSON", "{\"w\":").expect(400, "bad_json"));
        all.add(admin("empty body", "").expect(400, "bad_json"));
        all.add(admin("JSON null", "null").expect(400, "bad_json"));
        all.add(admin("JSON array", "[]").expect(400, "bad_json"));
        all.add(admin("duplicate keys", "{\"n\":3,\"n\":2}").expect(400, "bad_json"));
        all.add(admin("unknown field", "{\"quorum\":2}").expect(400, "bad_json"));
        all.add(admin("camelCase field name", "{\"replicaTimeoutMs\":500}").expect(400, "bad_json"));
        all.add(admin("n as a word", "{\"n\":\"three\"}").expect(400, "bad_json"));
        all.add(admin("w as a numeric string", "{\"w\":\"1\"}").expect(400, "bad_json"));
        all.add(admin("w as a fraction", "{\"w\":1.9}").expect(400, "bad_json"));
        all.add(admin("read_repair as a number", "{\"read_repair\":0}").expect(400, "bad_json"));
        all.add(admin("n beyond int", "{\"n\":99999999999}").expect(400, "bad_json"));
        all.add(admin("trailing garbage", "{\"w\":1} x").expect(400, "bad_json"));
        all.add(admin("two JSON objects", "{\"w\":1}{\"w\":1}").expect(400, "bad_json"));
        all.add(admin("r above n", "{\"r\":4}").expect(400, "bad_config"));
        all.add(admin("w=0", "{\"w\":0}").expect(400, "bad_config"));
        all.add(admin("n above the cluster size", "{\"n\":4}").expect(400, "bad_config"));
        all.add(admin("n=1 leaves r and w above n", "{\"n\":1}").expect(400, "bad_config"));
        all.add(admin("unknown consistency", "{\"consistency\":\"sideways\"}").expect(400, "bad_config"));
        all.add(admin("causal consistency with n below the cluster size", "{\"consistency\":\"causal\",\"n\":2}")
                .expect(400, "bad_config"));
        all.add(admin("unknown topology", "{\"topology\":\"ring\"}").expect(400, "bad_config"));
        all.add(admin("a primary that is not a member", "{\"topology\":\"primary-replica\",\"primary\":\"n9\"}")
                .expect(400, "bad_config"));
        all.add(admin("strong consistency with r + w = n", "{\"consistency\":\"strong\",\"r\":1}")
                .expect(400, "bad_config"));
        all.add(admin("negative replica timeout", "{\"replica_timeout_ms\":-5}").expect(400, "bad_config"));
        all.add(admin("request timeout below replica timeout", "{\"request_timeout_ms\":500}")
                .expect(400, "bad_config"));
        all.add(admin("max_value_bytes=0", "{\"max_value_bytes\":0}").expect(400, "bad_config"));
        all.add(admin("one valid and one invalid field", "{\"w\":1,\"r\":9}").expect(400, "bad_config"));
        all.add(admin("scope=galaxy", "{\"w\":1}").target("/admin/config?scope=galaxy").expect(400, "bad_parameter"));
        all.add(admin("unknown parameter", "{\"w\":1}").target("/admin/config?dry_run=1")
                .expect(400, "bad_parameter"));
        all.add(admin("body over 64 KiB, declared and never sent", null).header("Content-Length", "70000")
                .expect(413, "too_large"));
        all.add(new Case("GET /admin/config with a parameter", "GET", "/admin/config?scope=node").auth()
                .expect(400, "bad_parameter"));
    }

    private static void internalBatch(List<Case> all) {
        String good = putOp(record("\"bi-batch\"", HLC, "n1", b64("v"), false));
        all.add(batchCase("invalid JSON", "{\"from\":\"n1\",").expect(400, "bad_json"));
        all.add(batchCase("empty body", "").expect(400, "bad_json"));
        all.add(batchCase("JSON null", "null").expect(400, "bad_json"));
        all.add(batchCase("trailing garbage", batch("n1", good) + " garbage").expect(400, "bad_json")
                .probe("bi-batch"));
        all.add(batchCase("duplicate field", "{\"from\":\"n1\",\"from\":\"n2\",\"hlc\":1,\"ops\":[" + good + "]}")
                .expect(400, "bad_json").probe("bi-batch"));
        all.add(batchCase("unknown field in a record", batch("n1",
                putOp("{\"key\":\"bi-batch\",\"value\":\"dg==\",\"hlc\":" + HLC + ",\"node\":\"n1\","
                        + "\"tombstone\":false,\"ttl\":5}"))).expect(400, "bad_json").probe("bi-batch"));
        all.add(batchCase("value not base64", batch("n1", putOp(record("\"bi-batch\"", HLC, "n1", "!!", false))))
                .expect(400, "bad_json").probe("bi-batch"));
        all.add(batchCase("record without hlc", batch("n1",
                putOp("{\"key\":\"bi-batch\",\"value\":\"dg==\",\"node\":\"n1\",\"tombstone\":false}")))
                .expect(400, "bad_json").probe("bi-batch"));
        all.add(batchCase("no ops", "{\"from\":\"n1\",\"hlc\":1,\"ops\":[]}").expect(400, "bad_batch"));
        all.add(batchCase("ops missing", "{\"from\":\"n1\",\"hlc\":1}").expect(400, "bad_batch"));
        all.add(batchCase("unknown sender", batch("n9", good)).expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("sender missing", "{\"hlc\":1,\"ops\":[" + good + "]}").expect(400, "bad_batch")
                .probe("bi-batch"));
        all.add(batchCase("unknown op", batch("n1", "{\"op\":\"explode\",\"key\":\"bi-batch\"}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("op name missing", batch("n1", "{\"key\":\"bi-batch\"}")).expect(400, "bad_batch"));
        all.add(batchCase("null op", batch("n1", "null")).expect(400, "bad_batch"));
        all.add(batchCase("put without a record", batch("n1", "{\"op\":\"put\"}")).expect(400, "bad_batch"));
        String causalRecord = record("\"bi-batch\"", HLC, "n1", "dg==", false);
        all.add(batchCase("causal write from the receiver itself", batch("n1", "{\"op\":\"causal\",\"record\":"
                + causalRecord + ",\"origin\":\"n2\",\"seq\":1}")).expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("causal write with seq 0", batch("n1", "{\"op\":\"causal\",\"record\":"
                + causalRecord + ",\"origin\":\"n1\",\"seq\":0}")).expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("causal write without origin", batch("n1", "{\"op\":\"causal\",\"record\":"
                + causalRecord + ",\"seq\":1}")).expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("causal write depending on a non-member", batch("n1", "{\"op\":\"causal\",\"record\":"
                + causalRecord + ",\"origin\":\"n1\",\"seq\":1,\"deps\":{\"n9\":2}}")).expect(400, "bad_batch")
                .probe("bi-batch"));
        all.add(batchCase("causal write depending on itself", batch("n1", "{\"op\":\"causal\",\"record\":"
                + causalRecord + ",\"origin\":\"n1\",\"seq\":4,\"deps\":{\"n1\":4}}")).expect(400, "bad_batch")
                .probe("bi-batch"));
        all.add(batchCase("causal write with a negative dependency", batch("n1", "{\"op\":\"causal\",\"record\":"
                + causalRecord + ",\"origin\":\"n1\",\"seq\":1,\"deps\":{\"n3\":-2}}")).expect(400, "bad_batch")
                .probe("bi-batch"));
        all.add(batchCase("causal read with a bad key", batch("n1", "{\"op\":\"causal_read\",\"key\":\"\"}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("put with a lone-surrogate key",
                batch("n1", putOp(record("\"bi-\\ud800\"", HLC, "n1", b64("v"), false)))).expect(400, "bad_batch"));
        all.add(batchCase("put with a 513-byte key",
                batch("n1", putOp(record("\"" + "k".repeat(513) + "\"", HLC, "n1", b64("v"), false))))
                .expect(400, "bad_batch"));
        all.add(batchCase("put with an empty key", batch("n1", putOp(record("\"\"", HLC, "n1", b64("v"), false))))
                .expect(400, "bad_batch"));
        all.add(batchCase("put with a control character in the key",
                batch("n1", putOp(record("\"bi-\\u0001\"", HLC, "n1", b64("v"), false)))).expect(400, "bad_batch"));
        all.add(batchCase("put with hlc 0", batch("n1", putOp(record("\"bi-batch\"", 0, "n1", b64("v"), false))))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("put with a negative hlc",
                batch("n1", putOp(record("\"bi-batch\"", -5, "n1", b64("v"), false))))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("put with an invalid node id",
                batch("n1", putOp(record("\"bi-batch\"", HLC, "n 1", b64("v"), false))))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("put with a value over max-value-bytes",
                batch("n1", putOp(record("\"bi-batch\"", HLC, "n1", b64(filled(MAX_VALUE_BYTES + 1)), false))))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("put over max-value-bytes on an existing key",
                batch("n1", putOp(record("\"" + KEY_A + "\"", HLC + 5_000, "n1", b64(filled(5_000)), false))))
                .expect(400, "bad_batch"));
        all.add(batchCase("put without a value", batch("n1", putOp(record("\"bi-batch\"", HLC, "n1", null, false))))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("tombstone carrying a value",
                batch("n1", putOp(record("\"" + KEY_A + "\"", HLC + 5_000, "n1", b64("v"), true))))
                .expect(400, "bad_batch"));
        all.add(batchCase("put with a control character in the content type", batch("n1",
                putOp("{\"key\":\"bi-batch\",\"value\":\"dg==\",\"content_type\":\"text/\\u0007\",\"hlc\":" + HLC
                        + ",\"node\":\"n1\",\"tombstone\":false}"))).expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("hint for an invalid node id", batch("n1", "{\"op\":\"put\",\"hint_for\":\"../n3\","
                + "\"record\":" + record("\"bi-batch\"", HLC, "n1", b64("v"), false) + "}"))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("put with a version an hour in the future", batch("n1", putOp(record("\"bi-batch\"",
                (System.currentTimeMillis() + 3_600_000L) << 16, "n1", b64("v"), false))))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("hint for a node that is not a member", batch("n1", "{\"op\":\"put\",\"hint_for\":\"n9\","
                + "\"record\":" + record("\"bi-batch\"", HLC, "n1", b64("v"), false) + "}"))
                .expect(400, "bad_batch").probe("bi-batch"));
        all.add(batchCase("get with an empty key", batch("n1", "{\"op\":\"get\",\"key\":\"\"}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("get without a key", batch("n1", "{\"op\":\"get\"}")).expect(400, "bad_batch"));
        all.add(batchCase("digest with lo > hi", batch("n1", "{\"op\":\"digest\",\"ranges\":[[5,1]]}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("digest without ranges", batch("n1", "{\"op\":\"digest\"}")).expect(400, "bad_batch"));
        all.add(batchCase("digest with a 3-element range", batch("n1", "{\"op\":\"digest\",\"ranges\":[[1,2,3]]}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("entries without lo/hi", batch("n1", "{\"op\":\"entries\",\"limit\":10}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("entries with lo > hi", batch("n1", "{\"op\":\"entries\",\"lo\":9,\"hi\":1,\"limit\":10}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("list with limit 0", batch("n1", "{\"op\":\"list\",\"prefix\":\"\",\"limit\":0}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("list with limit 10001", batch("n1", "{\"op\":\"list\",\"prefix\":\"\",\"limit\":10001}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("list without a prefix", batch("n1", "{\"op\":\"list\",\"limit\":5}"))
                .expect(400, "bad_batch"));
        all.add(batchCase("valid op 0 then invalid op 1 applies neither", batch("n1",
                putOp(record("\"bi-partial\"", HLC, "n1", b64("v"), false)),
                putOp(record("\"bi-partial-2\"", 0, "n1", b64("v"), false))))
                .expect(400, "bad_batch").probe("bi-partial"));
        all.add(batchCase("valid ops then an unknown op", batch("n1",
                putOp(record("\"bi-partial\"", HLC, "n1", b64("v"), false)),
                "{\"op\":\"delete\",\"key\":\"" + KEY_A + "\"}"))
                .expect(400, "bad_batch").probe("bi-partial"));
        all.add(batchCase("unknown parameter", batch("n1", good)).target("/internal/batch?sync=1")
                .expect(400, "bad_parameter").probe("bi-batch"));
    }

    private static void internalConfig(List<Case> all) {
        long newer = HLC + 60_000;
        all.add(internalConfigCase("n=7 in a 3-node cluster",
                configJson(configWith(7, 2, 2, Consistency.EVENTUAL, newer))).expect(400, "bad_config"));
        all.add(internalConfigCase("r above n", configJson(configWith(3, 4, 2, Consistency.EVENTUAL, newer)))
                .expect(400, "bad_config"));
        all.add(internalConfigCase("causal consistency with n below the cluster size",
                configJson(configWith(2, 2, 2, Consistency.CAUSAL, newer))).expect(400, "bad_config"));
        all.add(internalConfigCase("strong consistency with r + w = n",
                configJson(configWith(3, 1, 2, Consistency.STRONG, newer))).expect(400, "bad_config"));
        all.add(internalConfigCase("consistency missing", configJson(configWith(3, 2, 2, Consistency.EVENTUAL, newer))
                .replace("\"consistency\":\"eventual\",", "")).expect(400, "bad_config"));
        all.add(internalConfigCase("unknown consistency",
                configJson(configWith(3, 2, 2, Consistency.EVENTUAL, newer)).replace("eventual", "sideways"))
                .expect(400, "bad_json"));
        all.add(internalConfigCase("partial config", "{\"n\":3,\"version\":" + newer + "}").expect(400, "bad_json"));
        all.add(internalConfigCase("invalid JSON", "{\"n\":").expect(400, "bad_json"));
        all.add(internalConfigCase("JSON null", "null").expect(400, "bad_json"));
        all.add(internalConfigCase("unknown field", configJson(configWith(3, 2, 2, Consistency.EVENTUAL, newer))
                .replace("{", "{\"leader\":\"n1\",")).expect(400, "bad_json"));
    }

    // ------------------------------------------------------------------------------------------
    // After the table; then slow clients

    /** Runs after the table: nothing the bad requests sent was counted or queued as a hint. */
    @Test
    @Order(2)
    void statusKeyCountsAndHintsAreUnchangedAfterTheTable() {
        // Counts are refreshed every 2 s: they must hold for longer than one refresh.
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(6)).until(() -> {
            for (int i = 0; i < 3; i++) {
                JsonNode s = statusOf(i);
                if (s.get("keys").asLong() != keyCountBaseline[i] || s.get("hints_pending_total").asLong() != 0) {
                    return false;
                }
            }
            return true;
        });
        Snapshot.take().assertSameAs(baseline, "after the whole table");
    }

    @Test
    @Order(3)
    @Timeout(10)
    void aClientThatStallsAfterItsHeadersDoesNotBlockOthersAndItsWriteNeverHappens() throws IOException {
        try (Socket stalled = connect(0)) {
            RawHttp.send(stalled, "PUT /kv/bi-slow HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "X-Quorum-W: 3\r\nContent-Length: 100\r\n\r\n0123456789");

            otherClientsAreServed();
        }
        // The stalled client went away with 90 bytes unsent: its truncated value must never be written.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> clients[0].get("bi-slow", Options.r(3)).status() == 404);
    }

    @Test
    @Order(4)
    @Timeout(10)
    void clientsStalledAnywhereInTheirRequestAreServedWhenTheyResume() throws IOException {
        String put = "PUT /kv/bi-resumed HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                + "X-Quorum-W: 3\r\nContent-Length: 7\r\n\r\nresumed";
        String get = "GET /kv/" + KEY_A + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Quorum-R: 3\r\n\r\n";
        // Where each client stalls: in the request line, in a header, right after the headers, in the body.
        List<String[]> splits = List.of(
                splitAt(get, 6),
                splitAt(get, get.indexOf("X-Quorum-R") + 5),
                splitAt(put, put.indexOf("\r\n\r\n") + 4),
                splitAt(put, put.length() - 3));
        List<Socket> sockets = new ArrayList<>();
        try {
            for (String[] split : splits) {
                Socket s = connect(1);
                sockets.add(s);
                RawHttp.send(s, split[0]);
            }

            otherClientsAreServed();

            for (int i = 0; i < splits.size(); i++) {
                RawHttp.send(sockets.get(i), splits.get(i)[1]);
                RawHttp.Response r = RawHttp.readResponse(sockets.get(i).getInputStream());
                assertThat(r.status()).as("stalled client %d, resumed: %s", i, r.text()).isEqualTo(200);
                if (i < 2) {
                    assertThat(r.text()).isEqualTo("alpha");
                } else {
                    assertThat(str(Json.MAPPER.readTree(r.body()).path("key"))).isEqualTo("bi-resumed");
                }
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        QuorumClient.Reply written = clients[2].get("bi-resumed", Options.r(3));
        assertThat(written.status()).isEqualTo(200);
        assertThat(written.text()).isEqualTo("resumed");
    }

    /**
     * Clients stalled mid-request hold no thread: the agent reads requests on event loops and only
     * arms a timer per request, so more stalled clients than handler threads leave it answering.
     */
    @Test
    @Order(5)
    @Timeout(20)
    void asManyStalledClientsAsHandlerThreadsDoNotStopTheAgent() throws IOException {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < HTTP_THREADS + 6; i++) {
                Socket s = connect(2);
                stalled.add(s);
                RawHttp.send(s, "PUT /kv/bi-flood-" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123");
            }
            try (Socket probe = connect(2)) {
                probe.setSoTimeout(5_000);
                RawHttp.send(probe, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(RawHttp.readResponse(probe.getInputStream()).status()).isEqualTo(200);
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    private static String[] splitAt(String request, int at) {
        return new String[] {request.substring(0, at), request.substring(at)};
    }

    /** Reads, writes and control calls succeed on every node while some client is stalled. */
    private static void otherClientsAreServed() {
        try (QuorumClient quick = new QuorumClient(cluster.url(0), AgentCluster.TOKEN, Duration.ofSeconds(3))) {
            assertThat(quick.health().status()).isEqualTo(200);
            QuorumClient.Reply read = quick.get(KEY_A, Options.r(3));
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.text()).isEqualTo("alpha");
            assertThat(quick.status().status()).isEqualTo(200);
            assertThat(quick.put("bi-while-stalled", "x".getBytes(UTF_8), "text/plain", Options.w(3)).status())
                    .isEqualTo(200);
        }
        for (int i = 1; i < 3; i++) {
            assertThat(clients[i].get(KEY_A, Options.r(3)).status()).isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------------------------------
    // State checks

    /**
     * What the cluster holds: every replica's rows, read from its store; the known keys read through
     * the API with R=3 (status, X-Quorum-Version, content type, value); every node's live config.
     */
    record Snapshot(List<Map<String, String>> replicas, Map<String, String> known, List<JsonNode> configs) {
        static Snapshot take() {
            Map<String, String> known = new LinkedHashMap<>();
            for (String key : KNOWN) {
                QuorumClient.Reply r = clients[0].get(key, Options.r(3));
                known.put(key, r.status() + " " + r.version() + " type=" + r.header("Content-Type")
                        + (r.status() == 200 ? " value=" + digest(r.body()) : ""));
            }
            return new Snapshot(replicaState(), known, liveConfigs());
        }

        void assertSameAs(Snapshot before, String when) {
            assertThat(replicas).as("%s: the rows of every replica (n1, n2, n3)", when).isEqualTo(before.replicas);
            assertThat(known).as("%s: the known keys read with R=3", when).isEqualTo(before.known);
            assertThat(configs).as("%s: the live config of every node", when).isEqualTo(before.configs);
        }
    }

    /** The key the request tried to write is absent: everywhere (R=3) and on the node it was sent to (R=1). */
    private static void assertProbeAbsent(Case c, String when) {
        if (c.probe() == null) {
            return;
        }
        QuorumClient.Reply all = clients[0].get(c.probe(), Options.r(3));
        assertThat(all.status()).as("%s: %s read with R=3 %s: %s", c.name(), c.probe(), when, all.text())
                .isEqualTo(404);
        assertThat(all.version()).as("%s: %s has no version %s, not even a tombstone", c.name(), c.probe(), when)
                .isNull();
        QuorumClient.Reply local = clients[c.node()].get(c.probe(), Options.r(1));
        assertThat(local.status()).as("%s: %s read with R=1 on n%d %s", c.name(), c.probe(), c.node() + 1, when)
                .isEqualTo(404);
    }

    /**
     * What each replica holds, read straight from its store through {@code /internal/batch}: every
     * row's key and version (tombstones included), and the known keys' full records (value as a
     * digest), one readable line per row so that a failure shows exactly what changed.
     */
    private static List<Map<String, String>> replicaState() {
        List<Map<String, Object>> ops = new ArrayList<>();
        ops.add(Map.of("op", "list", "prefix", "", "limit", 10_000));
        KNOWN.forEach(k -> ops.add(Map.of("op", "get", "key", k)));
        byte[] body = Json.MAPPER.writeValueAsBytes(Map.of("from", "n1", "hlc", 1, "ops", ops));
        List<Map<String, String>> out = new ArrayList<>();
        for (QuorumClient c : clients) {
            QuorumClient.Reply r = c.raw("POST", "/internal/batch", body,
                    Map.of("Authorization", BEARER, "Content-Type", "application/json"));
            assertThat(r.status()).as("internal read of %s: %s", c.baseUrl(), r.text()).isEqualTo(200);
            Map<String, String> rows = new TreeMap<>();
            JsonNode results = r.json().get("results");
            for (JsonNode e : results.get(0).get("entries")) {
                rows.put("row " + str(e.get("key")), version(e));
            }
            for (int i = 0; i < KNOWN.size(); i++) {
                JsonNode rec = results.get(i + 1).path("record");
                String value = str(rec.path("value"));
                rows.put("record " + KNOWN.get(i), rec.isMissingNode() ? "absent" : version(rec)
                        + " type=" + str(rec.path("content_type"))
                        + (value == null ? "" : " value=" + digest(Base64.getDecoder().decode(value))));
            }
            out.add(rows);
        }
        return out;
    }

    private static String version(JsonNode n) {
        return n.get("hlc").asLong() + "@" + str(n.get("node")) + (n.get("tombstone").asBoolean() ? " tombstone" : "");
    }

    private static String digest(byte[] v) {
        return v.length + " bytes, hash " + Integer.toHexString(Arrays.hashCode(v));
    }

    private static List<JsonNode> liveConfigs() {
        List<JsonNode> out = new ArrayList<>();
        for (QuorumClient c : clients) {
            QuorumClient.Reply r = c.config();
            assertThat(r.status()).isEqualTo(200);
            out.add(r.json());
        }
        return out;
    }

    private static String str(JsonNode n) {
        return n.isString() ? n.stringValue() : null;
    }

    private static JsonNode statusOf(int node) {
        return clients[node].status().json();
    }

    private static boolean isJsonError(RawHttp.Response res, String code) {
        try {
            JsonNode body = Json.MAPPER.readTree(res.body());
            String message = str(body.path("message"));
            return code.equals(str(body.path("error"))) && message != null && !message.isBlank();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int port(int node) {
        return Integer.parseInt(cluster.url(node).substring(cluster.url(node).lastIndexOf(':') + 1));
    }

    private static Socket connect(int node) throws IOException {
        return RawHttp.connect(port(node), IO_TIMEOUT);
    }

    // ------------------------------------------------------------------------------------------
    // Cases

    /**
     * One bad request and what it must get: {@code target} is the raw request target (path and
     * query) written byte for byte as ISO-8859-1, so it may hold raw control bytes and malformed
     * escapes; {@code probe} is a valid key the request tried to write, which must stay absent.
     */
    record Case(String name, String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
            int node, int status, String error, Map<String, String> expectHeaders, String probe, String gap) {

        Case(String name, String method, String target) {
            this(name, method, target, List.of(), null, 0, 0, null, Map.of(), null, null);
        }

        Case named(String n) {
            return new Case(n, method, target, headers, body, node, status, error, expectHeaders, probe, gap);
        }

        Case target(String t) {
            return new Case(name, method, t, headers, body, node, status, error, expectHeaders, probe, gap);
        }

        Case header(String n, String v) {
            List<Map.Entry<String, String>> h = new ArrayList<>(headers);
            h.add(Map.entry(n, v));
            return new Case(name, method, target, List.copyOf(h), body, node, status, error, expectHeaders, probe, gap);
        }

        Case auth() {
            return header("Authorization", BEARER);
        }

        Case body(byte[] b) {
            return new Case(name, method, target, headers, b, node, status, error, expectHeaders, probe, gap);
        }

        Case on(int n) {
            return new Case(name, method, target, headers, body, n, status, error, expectHeaders, probe, gap);
        }

        Case expect(int s, String e) {
            return new Case(name, method, target, headers, body, node, s, e, expectHeaders, probe, gap);
        }

        Case expectHeader(String n, String v) {
            Map<String, String> m = new LinkedHashMap<>(expectHeaders);
            m.put(n, v);
            return new Case(name, method, target, headers, body, node, status, error, Map.copyOf(m), probe, gap);
        }

        Case probe(String key) {
            return new Case(name, method, target, headers, body, node, status, error, expectHeaders, key, gap);
        }

        /** Marks a case where the agent cannot answer as it should today, and why. */
        Case gap(String why) {
            return new Case(name, method, target, headers, body, node, status, error, expectHeaders, probe, why);
        }

        /** The request bytes; Content-Length is added unless the case frames the body itself. */
        byte[] request(int port) {
            StringBuilder sb = new StringBuilder();
            sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: close\r\n");
            boolean framed = false;
            for (Map.Entry<String, String> h : headers) {
                sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
                framed |= h.getKey().equalsIgnoreCase("Content-Length")
                        || h.getKey().equalsIgnoreCase("Transfer-Encoding");
            }
            if (body != null && !framed) {
                sb.append("Content-Length: ").append(body.length).append("\r\n");
            }
            sb.append("\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(sb.toString().getBytes(ISO_8859_1));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return name + " → " + status + " " + error + (gap != null ? " [known gap]" : "");
        }
    }

    /** A data-plane request on a key; PUTs carry a small text value so a wrong write would show. */
    private static Case kv(String method, String what, String target) {
        Case c = new Case(method + " " + what, method, target);
        return method.equals("PUT") ? c.header("Content-Type", "text/plain").body(text("bad")) : c;
    }

    private static Case put(String what, String target, byte[] body) {
        Case c = new Case("PUT " + what, "PUT", target).header("Content-Type", "text/plain");
        return body == null ? c : c.body(body);
    }

    /** A PUT of a small value with exactly the Content-Type given (no default added). */
    private static Case typed(String what, String target, String contentType) {
        return new Case("PUT " + what, "PUT", target).header("Content-Type", contentType).body(text("bad"));
    }

    private static Case list(String what, String query, String error) {
        return new Case("GET /kv " + what, "GET", "/kv" + query).expect(400, error);
    }

    private static Case admin(String what, String json) {
        Case c = new Case("PUT /admin/config " + what, "PUT", "/admin/config").auth()
                .header("Content-Type", "application/json");
        return json == null ? c : c.body(text(json));
    }

    private static Case batchCase(String what, String json) {
        return new Case("POST /internal/batch " + what, "POST", "/internal/batch").on(1).auth()
                .header("Content-Type", "application/json").body(text(json));
    }

    private static Case internalConfigCase(String what, String json) {
        return new Case("POST /internal/config " + what, "POST", "/internal/config").on(1).auth()
                .header("Content-Type", "application/json").body(text(json));
    }

    private static String batch(String from, String... ops) {
        return "{\"from\":\"" + from + "\",\"hlc\":" + HLC + ",\"ops\":[" + String.join(",", ops) + "]}";
    }

    private static String putOp(String recordJson) {
        return "{\"op\":\"put\",\"record\":" + recordJson + "}";
    }

    /** A wire record; {@code keyJson} is a JSON string literal, so it may hold escapes such as a lone surrogate. */
    private static String record(String keyJson, long hlc, String node, String valueB64, boolean tombstone) {
        return "{\"key\":" + keyJson + (valueB64 == null ? "" : ",\"value\":\"" + valueB64 + "\"")
                + ",\"content_type\":\"text/plain\",\"hlc\":" + hlc + ",\"node\":\"" + node + "\",\"tombstone\":"
                + tombstone + "}";
    }

    private static ClusterConfig configWith(int n, int r, int w, Consistency consistency, long version) {
        return new ClusterConfig(n, r, w, consistency, ClusterConfig.DEFAULT_REPLICA_TIMEOUT_MS,
                ClusterConfig.DEFAULT_REQUEST_TIMEOUT_MS, ClusterConfig.DEFAULT_HINT_INTERVAL_MS,
                ClusterConfig.DEFAULT_ANTI_ENTROPY_INTERVAL_MS, ClusterConfig.DEFAULT_TOMBSTONE_GRACE_MS,
                MAX_VALUE_BYTES, true, version);
    }

    private static String configJson(ClusterConfig cfg) {
        return Json.MAPPER.writeValueAsString(cfg);
    }

    private static byte[] text(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'z');
        return b;
    }

    private static String b64(String s) {
        return b64(s.getBytes(UTF_8));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
