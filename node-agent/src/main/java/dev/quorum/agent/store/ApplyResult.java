package dev.quorum.agent.store;

/**
 * What applying a record to a replica did: {@code applied} when it became the replica's newest
 * version, otherwise the replica already held {@code current}, which is at least as new.
 */
public record ApplyResult(boolean applied, Version current) {}
