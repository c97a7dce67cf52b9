package dev.quorum.client.wire;

/** A versioned record on the wire between replicas. {@code value} travels as base64. */
public record WireRecord(String key, byte[] value, String contentType, long hlc, String node, boolean tombstone) {}
