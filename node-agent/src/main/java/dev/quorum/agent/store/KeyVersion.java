package dev.quorum.agent.store;

/** A key and the version a replica holds for it, without the value: what listings and anti-entropy exchange. */
public record KeyVersion(String key, Version version, boolean tombstone) {}
