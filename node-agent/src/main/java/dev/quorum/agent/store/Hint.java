package dev.quorum.agent.store;

/** A write held for a replica that could not take it; handed off when that replica returns. */
public record Hint(String target, Record record, long createdMillis) {}
