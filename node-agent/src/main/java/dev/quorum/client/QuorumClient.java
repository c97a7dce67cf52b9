package dev.quorum.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import tools.jackson.databind.JsonNode;

/**
 * A blocking client of one Quorum agent (or balancer): the data plane and the control plane, for
 * the console, scripts and tests. Answers come back whatever their status — callers look at
 * {@link Reply#status()}; only a failure to talk at all throws {@link UncheckedIOException}.
 *
 * <p>Retries on connection failure are off for writes: a PUT that silently went twice would hide
 * an unknown outcome from a caller that records one. Reads may be retried (a pooled connection to a
 * restarted agent fails on first use; re-reading is harmless).
 */
public final class QuorumClient implements AutoCloseable {
    /** Per-request options; nulls mean the cluster's default. */
    public record Options(Integer r, Integer w, boolean trace, String traceId, String consistency, String session) {
        public static final Options DEFAULT = new Options(null, null, false, null, null, null);

        public Options(Integer r, Integer w, boolean trace, String traceId) {
            this(r, w, trace, traceId, null, null);
        }

        public Options(Integer r, Integer w, boolean trace, String traceId, String consistency) {
            this(r, w, trace, traceId, consistency, null);
        }

        /** This request in the causal session of this token ({@code X-Quorum-Session}, from the last answer). */
        public Options session(String token) {
            return new Options(r, w, trace, traceId, consistency, token);
        }

        public Options causal() {
            return consistency("causal");
        }

        public static Options r(int r) {
            return new Options(r, null, false, null);
        }

        public static Options w(int w) {
            return new Options(null, w, false, null);
        }

        public Options traced() {
            return new Options(r, w, true, traceId, consistency, session);
        }

        /** This request in the given model ({@code X-Quorum-Consistency}), e.g. "strong". */
        public Options consistency(String model) {
            return new Options(r, w, trace, traceId, model, session);
        }

        public Options eventual() {
            return consistency("eventual");
        }
    }

    /** A response: status, headers and body. */
    public record Reply(int status, Map<String, List<String>> headers, byte[] body) {
        /** The causal session token to send with the session's next request, or null (other models). */
        public String session() {
            return header("X-Quorum-Session");
        }

        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().isEmpty() ? null : e.getValue().get(0);
                }
            }
            return null;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return Json.MAPPER.readTree(body);
        }

        /** The {@code X-Quorum-Version} of the record read or written. */
        public String version() {
            return header("X-Quorum-Version");
        }

        /** The replica trace, when asked for with {@link Options#traced()}. */
        public JsonNode trace() {
            String t = header("X-Quorum-Trace");
            return t == null ? null : Json.MAPPER.readTree(t);
        }
    }

    private final HttpUrl base;
    private final OkHttpClient http;
    private final OkHttpClient readHttp;
    private final String authorization;

    public QuorumClient(String baseUrl, String token) {
        this(baseUrl, token, Duration.ofSeconds(10));
    }

    public QuorumClient(String baseUrl, String token, Duration timeout) {
        HttpUrl parsed = HttpUrl.parse(baseUrl);
        if (parsed == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + baseUrl);
        }
        this.base = parsed;
        this.http = new OkHttpClient.Builder()
                .retryOnConnectionFailure(false)
                .socketFactory(new NoDelaySocketFactory())
                .callTimeout(timeout)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        this.readHttp = http.newBuilder().retryOnConnectionFailure(true).build();
        this.authorization = token == null ? null : "Bearer " + token;
    }

    public String baseUrl() {
        return base.toString();
    }

    public Reply put(String key, byte[] value, String contentType, Options o) {
        MediaType type = contentType == null ? null : MediaType.parse(contentType);
        return execute(data(key, o).put(RequestBody.create(value, type)));
    }

    public Reply put(String key, String value) {
        return put(key, value.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", Options.DEFAULT);
    }

    public Reply get(String key, Options o) {
        return execute(data(key, o).get());
    }

    public Reply get(String key) {
        return get(key, Options.DEFAULT);
    }

    public Reply delete(String key, Options o) {
        return execute(data(key, o).delete());
    }

    public Reply list(String prefix, String after, Integer limit) {
        HttpUrl.Builder u = base.newBuilder().addPathSegment("kv");
        if (prefix != null) {
            u.addQueryParameter("prefix", prefix);
        }
        if (after != null) {
            u.addQueryParameter("after", after);
        }
        if (limit != null) {
            u.addQueryParameter("limit", limit.toString());
        }
        return execute(new Request.Builder().url(u.build()).get());
    }

    public Reply health() {
        return execute(new Request.Builder().url(base.newBuilder().addPathSegment("health").build()).get());
    }

    public Reply metrics() {
        return execute(new Request.Builder().url(base.newBuilder().addPathSegment("metrics").build()).get());
    }

    public Reply status() {
        return execute(admin("admin/status").get());
    }

    public Reply config() {
        return execute(admin("admin/config").get());
    }

    /** {@code PUT /admin/config}: a partial change, e.g. {@code Map.of("w", 1)}. */
    public Reply updateConfig(Map<String, Object> patch) {
        return execute(admin("admin/config")
                .put(RequestBody.create(Json.MAPPER.writeValueAsBytes(patch), PeerClient.JSON)));
    }

    /** Any request, for tools and tests: a path (with query) relative to the base URL. */
    /** {@code GET /admin/digest}: a digest of every record the node holds (token required). */
    public Reply digest() {
        return execute(admin("admin/digest").get());
    }

    public Reply raw(String method, String pathAndQuery, byte[] body, Map<String, String> headers) {
        HttpUrl url = HttpUrl.parse(base.toString().replaceAll("/$", "") + pathAndQuery);
        if (url == null) {
            throw new IllegalArgumentException("bad path " + pathAndQuery);
        }
        Request.Builder b = new Request.Builder().url(url);
        headers.forEach(b::header);
        RequestBody rb = body == null ? null : RequestBody.create(body, null);
        if (rb == null && (method.equals("PUT") || method.equals("POST"))) {
            rb = RequestBody.create(new byte[0], null);
        }
        return execute(b.method(method, rb));
    }

    private Request.Builder data(String key, Options o) {
        HttpUrl.Builder u = base.newBuilder().addPathSegment("kv").addPathSegment(key);
        if (o.trace()) {
            u.addQueryParameter("trace", "true");
        }
        Request.Builder b = new Request.Builder().url(u.build());
        if (o.r() != null) {
            b.header("X-Quorum-R", o.r().toString());
        }
        if (o.w() != null) {
            b.header("X-Quorum-W", o.w().toString());
        }
        if (o.traceId() != null) {
            b.header("X-Quorum-Trace-Id", o.traceId());
        }
        if (o.consistency() != null) {
            b.header("X-Quorum-Consistency", o.consistency());
        }
        if (o.session() != null && !o.session().isEmpty()) {
            b.header("X-Quorum-Session", o.session());
        }
        return b;
    }

    private Request.Builder admin(String path) {
        Request.Builder b = new Request.Builder().url(base.newBuilder().addPathSegments(path).build());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private Reply execute(Request.Builder b) {
        Request req = b.build();
        boolean safe = req.method().equals("GET") || req.method().equals("HEAD");
        try (Response r = (safe ? readHttp : http).newCall(req).execute()) {
            return new Reply(r.code(), r.headers().toMultimap(), r.body().bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
