package dev.quorum.client.wire;

/** A key and the version a replica holds, without the value. */
public record WireKeyVersion(String key, long hlc, String node, boolean tombstone) {}
