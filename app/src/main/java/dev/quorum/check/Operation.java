package dev.quorum.check;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One client operation of a history.
 *
 * @param process the client (process, session, thread) that issued it; a label only, the checker does not
 *     assume a process runs one operation at a time
 * @param invokeNs when it was invoked, on a clock shared by the whole history (nanoseconds, or any
 *     monotonic unit such as line numbers)
 * @param completeNs when its answer arrived; empty when the outcome is {@link Outcome#UNKNOWN}, which keeps
 *     the operation open until the end of the history
 * @param input what was asked (the model's input type)
 * @param output what came back; {@code null} unless the outcome is {@link Outcome#OK}
 * @param outcome whether it happened
 */
public record Operation<I, O>(
        long process, long invokeNs, OptionalLong completeNs, I input, O output, Outcome outcome) {

    public Operation {
        Objects.requireNonNull(completeNs, "completeNs");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(outcome, "outcome");
        if (outcome == Outcome.UNKNOWN) {
            if (completeNs.isPresent()) {
                throw new IllegalArgumentException("an operation of unknown outcome has no completion time");
            }
        } else if (completeNs.isEmpty()) {
            throw new IllegalArgumentException("a " + outcome.wireName() + " operation needs a completion time");
        } else if (completeNs.getAsLong() < invokeNs) {
            throw new IllegalArgumentException(
                    "completion " + completeNs.getAsLong() + " is before invocation " + invokeNs);
        }
        if (outcome == Outcome.OK) {
            Objects.requireNonNull(output, "an ok operation needs its output");
        } else if (output != null) {
            throw new IllegalArgumentException("only an ok operation has an output");
        }
    }

    public static <I, O> Operation<I, O> ok(long process, long invokeNs, long completeNs, I input, O output) {
        return new Operation<>(process, invokeNs, OptionalLong.of(completeNs), input, output, Outcome.OK);
    }

    public static <I, O> Operation<I, O> failed(long process, long invokeNs, long completeNs, I input) {
        return new Operation<>(process, invokeNs, OptionalLong.of(completeNs), input, null, Outcome.FAIL);
    }

    public static <I, O> Operation<I, O> unknown(long process, long invokeNs, I input) {
        return new Operation<>(process, invokeNs, OptionalLong.empty(), input, null, Outcome.UNKNOWN);
    }

    /** The completion time, or {@link Long#MAX_VALUE} for an operation that stays open. */
    long completeOrInfinity() {
        return completeNs.orElse(Long.MAX_VALUE);
    }
}
