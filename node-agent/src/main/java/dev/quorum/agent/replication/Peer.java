package dev.quorum.agent.replication;

import okhttp3.HttpUrl;

/**
 * Another agent of the cluster, as this node sees it: where it is, whether the failure detector
 * believes it is up, and the batching pipe to it.
 */
public final class Peer {
    private final String id;
    private final HttpUrl url;
    private volatile boolean up = true;
    private volatile String downReason;
    private volatile long lastSeenMillis;
    private volatile long configVersion;
    private volatile PeerPipe pipe;

    Peer(String id, HttpUrl url) {
        this.id = id;
        this.url = url;
    }

    public String id() {
        return id;
    }

    public HttpUrl url() {
        return url;
    }

    public boolean up() {
        return up;
    }

    public String downReason() {
        return downReason;
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    public long configVersion() {
        return configVersion;
    }

    /** Sets the state; returns true when it changed. */
    boolean mark(boolean nowUp, String reason) {
        boolean changed = up != nowUp;
        up = nowUp;
        downReason = nowUp ? null : reason;
        return changed;
    }

    void seen(long millis, long peerConfigVersion) {
        lastSeenMillis = millis;
        configVersion = peerConfigVersion;
    }

    PeerPipe pipe() {
        return pipe;
    }

    void pipe(PeerPipe p) {
        this.pipe = p;
    }

    public int queuedOps() {
        PeerPipe p = pipe;
        return p == null ? 0 : p.queued();
    }
}
