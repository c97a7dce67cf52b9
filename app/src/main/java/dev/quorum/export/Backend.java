package dev.quorum.export;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * One node behind the proxy.
 *
 * @param id the node id ({@code n1}); the HAProxy server name and a comment in the nginx file
 * @param url the agent's base URL: {@code http://host:port}, nothing after the port but an optional "/"
 * @param weight the share of traffic, 1..256 (1 unless given; every native strategy honours it)
 * @param backup receives traffic only when every non-backup node is down
 * @param drain administratively out of rotation (nginx {@code down}, HAProxy {@code disabled})
 */
public record Backend(String id, URI url, int weight, boolean backup, boolean drain) {
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 256;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");

    public Backend {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("bad node id '" + id + "': use 1 to 64 letters, digits, '_', '.' or"
                    + " '-', starting with a letter or digit");
        }
        url = checkUrl(id, url);
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight of " + id + " is " + weight + "; it must be in "
                    + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
        if (backup && drain) {
            throw new IllegalArgumentException(id + " cannot be both backup and drain");
        }
    }

    /** Weight 1, neither backup nor drain. */
    public static Backend of(String id, String url) {
        return new Backend(id, parseUrl(id, url), 1, false, false);
    }

    public Backend withWeight(int w) {
        return new Backend(id, url, w, backup, drain);
    }

    public Backend asBackup() {
        return new Backend(id, url, weight, true, drain);
    }

    public Backend drained() {
        return new Backend(id, url, weight, backup, true);
    }

    /** The host as the proxies write it: a name, an IPv4 address or a bracketed IPv6 address. */
    public String host() {
        return url.getHost();
    }

    /** The port (80 when the URL names none). */
    public int port() {
        return url.getPort() == -1 ? 80 : url.getPort();
    }

    /** {@code host:port}. */
    public String address() {
        return host() + ":" + port();
    }

    /** {@code id=url}, as the CLI takes it and the file headers show it. */
    @Override
    public String toString() {
        return id + "=" + url;
    }

    static URI parseUrl(String id, String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("bad URL for " + id + ": empty");
        }
        if (!url.contains("://")) {
            throw new IllegalArgumentException("bad URL for " + id + " '" + url.strip() + "': it must start with"
                    + " http:// (agents serve plain HTTP)");
        }
        try {
            return new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad URL for " + id + " '" + url + "': " + e.getMessage());
        }
    }

    private static URI checkUrl(String id, URI url) {
        if (url == null) {
            throw new IllegalArgumentException("bad URL for " + id + ": missing");
        }
        String why = null;
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            why = "it must start with http:// (agents serve plain HTTP)";
        } else if (url.getHost() == null || !HOST.matcher(url.getHost()).matches()) {
            why = "no valid host";
        } else if (url.getRawUserInfo() != null) {
            why = "user info is not allowed";
        } else if (url.getPort() == 0 || url.getPort() > 65535) {
            why = "port out of range 1..65535";
        } else if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
            why = "give the agent's base URL, without a path";
        } else if (url.getRawQuery() != null || url.getRawFragment() != null) {
            why = "a query or fragment is not allowed";
        }
        if (why != null) {
            throw new IllegalArgumentException("bad URL for " + id + " '" + url + "': " + why);
        }
        return url;
    }
}
