package dev.quorum.agent.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The cluster token check for {@code /admin/…} and {@code /internal/…}: {@code Authorization: Bearer
 * <token>}. Missing → 401, wrong → 403. The comparison takes the same time however much of the token
 * matches, and the token is never logged.
 */
public final class Auth {
    private final byte[] expected;

    /** @param token the cluster token, or null to require none (an agent started without --token-file) */
    public Auth(String token) {
        this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    public boolean enabled() {
        return expected != null;
    }

    public void check(Call call) {
        if (expected == null) {
            return;
        }
        String header = call.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "unauthorized",
                    "this endpoint needs the cluster token: send 'Authorization: Bearer <token>'")
                    .header("WWW-Authenticate", "Bearer realm=\"quorum\"");
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(403, "forbidden", "the token presented is not this cluster's token");
        }
    }
}
