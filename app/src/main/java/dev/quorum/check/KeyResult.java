package dev.quorum.check;

/**
 * The verdict on one partition (key).
 *
 * @param operations operations checked (definite failures and reads of unknown outcome are not counted)
 * @param steps search steps spent, the explanation included
 * @param violation why it is not linearizable; {@code null} otherwise
 * @param reason why it is {@link Verdict#UNKNOWN}; {@code null} otherwise
 */
public record KeyResult(
        String key, Verdict verdict, int operations, long steps, long elapsedNanos, Violation violation, String reason) {}
