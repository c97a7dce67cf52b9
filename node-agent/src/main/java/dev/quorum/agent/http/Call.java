package dev.quorum.agent.http;

import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.client.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * One HTTP request being served: the request plus what the access log and metrics need to know
 * about it (operation name, key, status, trace). Handlers read the request through it and answer
 * through it exactly once — at once, or later with {@link #answerLater}, so that no thread waits
 * while replicas answer.
 */
public final class Call {
    private static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** What the server does with a call: answer an error, send a response, record the call. */
    interface Server {
        void answerError(Call call, Throwable error);

        /** Writes the response (on the connection's event loop) and records the call. */
        void respond(Call call, FullHttpResponse response);

        /** Where continuations of {@link #answerLater} run. */
        Executor responder(Call call);
    }

    /** The rest of a handler, run when the value it waited for is there; may throw like a handler. */
    @FunctionalInterface
    public interface Continuation<T> {
        void accept(T value) throws Exception;
    }

    private final FullHttpRequest request;
    private final Server server;
    private final String rawPath;
    private final String rawQuery;
    private final Object connection;
    private volatile boolean keepAlive;
    private final long bytesIn;
    private final long startNanos = System.nanoTime();
    private final HttpHeaders responseHeaders = new io.netty.handler.codec.http.DefaultHttpHeaders();
    private volatile boolean deferred;
    private volatile int status;
    private String op = "unknown";
    private String key;
    private RequestTrace trace;
    private long bytesOut;
    private String traceId;
    private Map<String, String> query;
    private Map<String, Object> logFields = Map.of();

    /**
     * @param connection identifies the connection, for {@link Server#responder}
     */
    Call(FullHttpRequest request, Server server, Object connection) {
        this.request = request;
        this.server = server;
        this.connection = connection;
        this.keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(request);
        this.bytesIn = request.content().readableBytes();
        String target = request.uri();
        if (target.startsWith("http://") || target.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int q = target.indexOf('?');
        this.rawPath = q < 0 ? target : target.substring(0, q);
        this.rawQuery = q < 0 ? null : target.substring(q + 1);
    }

    Object connection() {
        return connection;
    }

    /**
     * Answers when {@code pending} completes: {@code then} runs on the server's responder (the
     * connection's event loop — never the thread that completed the future, which may be a store
     * writer or an HTTP client callback thread); a failure of either is answered as an error.
     */
    public <T> void answerLater(CompletionStage<T> pending, Continuation<T> then) {
        deferred = true;
        pending.whenCompleteAsync((value, error) -> {
            try {
                if (error != null) {
                    server.answerError(this, error);
                } else {
                    then.accept(value);
                }
            } catch (Throwable t) {
                server.answerError(this, t);
            }
            if (!answered()) {
                server.answerError(this, new IllegalStateException("handler sent no response"));
            }
        }, server.responder(this));
    }

    boolean deferred() {
        return deferred;
    }

    public String method() {
        return request.method().name();
    }

    public String rawPath() {
        return rawPath;
    }

    /** The first value of a request header (names are case-insensitive). */
    public String header(String name) {
        return request.headers().get(name);
    }

    /** Every value of a request header, in order. */
    public List<String> headers(String name) {
        return request.headers().getAll(name);
    }

    /** The single value of a header; a header given twice is ambiguous and refused with 400. */
    public String singleHeader(String name) {
        List<String> values = headers(name);
        if (values.size() > 1) {
            throw ApiException.badRequest("bad_header", name + " given " + values.size() + " times; send it once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    public void op(String op) {
        this.op = op;
    }

    public String op() {
        return op;
    }

    public void key(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public void trace(RequestTrace trace) {
        this.trace = trace;
    }

    public RequestTrace trace() {
        return trace;
    }

    public int status() {
        return status;
    }

    public long bytesIn() {
        return bytesIn;
    }

    /** Whether the connection stays open after this answer. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Closes the connection once this call is answered (e.g. after a malformed request). */
    void closeAfterAnswer() {
        keepAlive = false;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public double elapsedMs() {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The client's trace id ({@code X-Quorum-Trace-Id}) when well-formed, else a new one. */
    public String traceId() {
        if (traceId == null) {
            String given = header("X-Quorum-Trace-Id");
            traceId = given != null && TRACE_ID.matcher(given).matches() ? given : RequestTrace.newId();
        }
        return traceId;
    }

    /** Whether the client asked for the replica trace ({@code ?trace=true} or {@code X-Quorum-Trace: true}). */
    public boolean traceRequested() {
        String q = query().get("trace");
        String h = singleHeader("X-Quorum-Trace");
        return isTrue(q, "query parameter trace", "bad_parameter") || isTrue(h, "X-Quorum-Trace", "bad_header");
    }

    private static boolean isTrue(String v, String what, String code) {
        if (v == null || v.equals("0") || v.equals("false")) {
            return false;
        }
        if (v.isEmpty() || v.equals("1") || v.equals("true")) {
            return true;
        }
        throw ApiException.badRequest(code, what + " must be true or false, got '" + v + "'");
    }

    /** Query parameters, strictly decoded; a parameter given twice is an error. */
    public Map<String, String> query() {
        if (query == null) {
            Map<String, String> out = new LinkedHashMap<>();
            if (rawQuery != null && !rawQuery.isEmpty()) {
                for (String part : rawQuery.split("&", -1)) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    String name = PercentCodec.decode(eq < 0 ? part : part.substring(0, eq), "query parameter name", true);
                    String value = eq < 0 ? "" : PercentCodec.decode(part.substring(eq + 1),
                            "query parameter '" + name + "'", true);
                    if (out.put(name, value) != null) {
                        throw ApiException.badRequest("bad_parameter", "query parameter '" + name + "' given twice");
                    }
                }
            }
            query = out;
        }
        return query;
    }

    /** Refuses query parameters outside {@code allowed} (a typo should not be silently ignored). */
    public void allowOnly(Set<String> allowed) {
        for (String name : query().keySet()) {
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("bad_parameter", "unknown query parameter '" + name + "'; allowed: "
                        + (allowed.isEmpty() ? "none" : String.join(", ", allowed)));
            }
        }
    }

    /**
     * The whole body, refusing more than {@code limit} bytes with 413. (Bodies over the route's
     * limit are refused by {@code BodyLimiter} before they are read; this checks the live limit.)
     */
    public byte[] body(long limit, String what) {
        ByteBuf content = request.content();
        if (content.readableBytes() > limit) {
            throw tooLarge(limit, what);
        }
        byte[] data = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), data);
        return data;
    }

    static ApiException tooLarge(long limit, String what) {
        return new ApiException(413, "too_large", what + " is larger than the limit of " + limit + " bytes",
                Map.of("limit_bytes", limit));
    }

    /** Parses a JSON body strictly into {@code type}; any problem is a 400 naming it. */
    public <T> T json(long limit, Class<T> type) {
        byte[] data = body(limit, "request body");
        if (data.length == 0) {
            throw ApiException.badRequest("bad_json", "request body is empty; expected a JSON object");
        }
        T value;
        try {
            value = Json.MAPPER.readValue(data, type);
        } catch (tools.jackson.core.JacksonException e) {
            throw ApiException.badRequest("bad_json", "invalid JSON: " + e.getOriginalMessage());
        }
        if (value == null) {
            throw ApiException.badRequest("bad_json", "request body is JSON null; expected a JSON object");
        }
        return value;
    }

    /** The executor answers are sent from: the connection's event loop (a proxy runs its upstream call there too). */
    public java.util.concurrent.Executor eventLoop() {
        return server.responder(this);
    }

    /** Every request header, in order, names as sent. */
    public Iterable<Map.Entry<String, String>> requestHeaders() {
        return request.headers();
    }

    /** The query string as sent (still percent-encoded), or null. */
    public String rawQuery() {
        return rawQuery;
    }

    /** An extra field for this request's access-log record (e.g. the balancer's backend). */
    public synchronized void logField(String name, Object value) {
        if (logFields.isEmpty()) {
            logFields = new java.util.LinkedHashMap<>();
        }
        logFields.put(name, value);
    }

    synchronized Map<String, Object> logFields() {
        return logFields;
    }

    public void setHeader(String name, String value) {
        responseHeaders.set(name, value);
    }

    public void sendJson(int code, Object body) {
        send(code, Json.MAPPER.writeValueAsBytes(body), "application/json");
    }

    /** Sends a response; for HEAD the body is left out but its length announced. */
    public synchronized void send(int code, byte[] body, String contentType) {
        if (status != 0) {
            throw new IllegalStateException("response already sent");
        }
        status = code;
        boolean head = "HEAD".equals(method());
        int length = body == null ? 0 : body.length;
        ByteBuf content = head || length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code), content);
        response.headers().set(responseHeaders);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        bytesOut = head ? 0 : length;
        server.respond(this, response);
    }

    boolean answered() {
        return status != 0;
    }

    /** Releases the request's buffer; called by the server once the call is answered. */
    void release() {
        request.release();
    }
}
