package dev.quorum.agent.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer: HTTP status, a stable machine-readable {@code code}, a message for people, and
 * optional details merged into the JSON body {@code {"error": code, "message": …, …details}}.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public ApiException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", getMessage());
        m.putAll(details);
        return m;
    }
}
