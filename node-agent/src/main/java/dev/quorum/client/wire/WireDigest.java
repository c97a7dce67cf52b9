package dev.quorum.client.wire;

/** The digest of one ring range on one replica: XOR of row hashes and the row count. */
public record WireDigest(long lo, long hi, long digest, long count) {}
