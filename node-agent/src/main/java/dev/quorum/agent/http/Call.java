package dev.quorum.agent.http;

import com.sun.net.httpserver.HttpExchange;
import dev.quorum.agent.observe.RequestTrace;
import dev.quorum.client.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTP request being served: the exchange plus what the access log and metrics need to know
 * about it (operation name, key, status, trace). Handlers read the request through it and answer
 * through it exactly once — at once, or later with {@link #answerLater}, so that no thread waits
 * while replicas answer.
 */
public final class Call {
    /** What the server does with a call: answer an error, and record the call once answered. */
    interface Server {
        void answerError(Call call, Throwable error);

        void answered(Call call);

        java.util.concurrent.Executor responder();
    }

    /** The rest of a handler, run when the value it waited for is there; may throw like a handler. */
    @FunctionalInterface
    public interface Continuation<T> {
        void accept(T value) throws Exception;
    }

    private static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final HttpExchange ex;
    private final Server server;
    private final long startNanos = System.nanoTime();
    private volatile boolean deferred;
    private String op = "unknown";
    private String key;
    private RequestTrace trace;
    private int status;
    private long bytesIn;
    private long bytesOut;
    private String traceId;
    private Map<String, String> query;

    Call(HttpExchange ex, Server server) {
        this.ex = ex;
        this.server = server;
    }

    /**
     * Answers when {@code pending} completes: {@code then} runs on the server's responder pool
     * (never on the thread that completed the future — a store writer or an HTTP client callback
     * must not write responses); a failure of either is answered as an error.
     */
    public <T> void answerLater(java.util.concurrent.CompletionStage<T> pending, Continuation<T> then) {
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
        }, server.responder());
    }

    boolean deferred() {
        return deferred;
    }

    public HttpExchange exchange() {
        return ex;
    }

    public String method() {
        return ex.getRequestMethod();
    }

    public String rawPath() {
        return ex.getRequestURI().getRawPath();
    }

    public String header(String name) {
        return ex.getRequestHeaders().getFirst(name);
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
        String h = header("X-Quorum-Trace");
        return isTrue(q, "trace", "bad_parameter") || isTrue(h, "X-Quorum-Trace", "bad_header");
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
            String raw = ex.getRequestURI().getRawQuery();
            if (raw != null && !raw.isEmpty()) {
                for (String part : raw.split("&", -1)) {
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
     * Reads the whole body, refusing more than {@code limit} bytes with 413 — before reading when
     * Content-Length already says so, else as soon as the limit is passed.
     */
    public byte[] body(long limit, String what) {
        String declared = header("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    throw tooLarge(limit, what);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_request", "Content-Length is not a number");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (data.length > limit) {
                throw tooLarge(limit, what);
            }
            bytesIn = data.length;
            return data;
        } catch (IOException e) {
            throw new ApiException(400, "bad_request", "could not read the request body: " + e.getMessage());
        }
    }

    private static ApiException tooLarge(long limit, String what) {
        return new ApiException(413, "too_large", what + " is larger than the limit of " + limit + " bytes",
                Map.of("limit_bytes", limit));
    }

    /** Parses a JSON body strictly into {@code type}; any problem is a 400 naming it. Never returns null. */
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
            // Jackson maps a bare JSON null to a null object; handlers must never see one.
            throw ApiException.badRequest("bad_json", "request body is JSON null; expected a JSON object");
        }
        return value;
    }

    public void setHeader(String name, String value) {
        ex.getResponseHeaders().set(name, value);
    }

    public void sendJson(int code, Object body) {
        send(code, Json.MAPPER.writeValueAsBytes(body), "application/json");
    }

    /** Sends a response; for HEAD the body is left out but its length announced. */
    public void send(int code, byte[] body, String contentType) {
        if (status != 0) {
            throw new IllegalStateException("response already sent");
        }
        status = code;
        try {
            if (contentType != null) {
                ex.getResponseHeaders().set("Content-Type", contentType);
            }
            boolean head = "HEAD".equals(method());
            if (head || code == 204 || body == null || body.length == 0) {
                if (head) {
                    ex.getResponseHeaders().set("Content-Length", Integer.toString(body == null ? 0 : body.length));
                }
                ex.sendResponseHeaders(code, -1);
            } else {
                ex.sendResponseHeaders(code, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
                bytesOut = body.length;
            }
        } catch (IOException e) {
            // The client went away; nothing to answer to. The access log still records the status.
        } finally {
            ex.close();
            server.answered(this);
        }
    }

    boolean answered() {
        return status != 0;
    }
}
