package dev.quorum.check;

import java.util.List;

/**
 * Why one key's history is not linearizable: the operation no order could get past, what the key could
 * hold at that moment, and the smallest window of the history that cannot be ordered on its own.
 *
 * @param key the partition (empty for single-object histories)
 * @param operation the first operation, by completion, that no order consistent with real time can include
 * @param possibleStates what the key can hold when {@code operation} completes, in every order of the
 *     operations before it (none accepts its output)
 * @param windowStartNs the cut where the window begins: before it only operations of unknown outcome are
 *     pending
 * @param statesBefore what the key can hold at {@code windowStartNs}, given every operation before it
 * @param context operations before the window that leave the key in those states (one witness order each)
 * @param window the window's operations, by invocation: from any of {@code statesBefore}, no order of them
 *     that fits real time includes {@code operation}
 * @param minimal false when the search for the window ran out of budget: {@code window} is then the whole
 *     history up to {@code operation}'s completion
 * @param explanation the same, for humans
 */
public record Violation(
        String key,
        Step operation,
        List<String> possibleStates,
        long windowStartNs,
        List<String> statesBefore,
        List<Step> context,
        List<Step> window,
        boolean minimal,
        String explanation) {

    /**
     * One operation in a report.
     *
     * @param completeNs {@code null} for an operation of unknown outcome
     * @param operation the operation and its observed output, as the model writes it
     */
    public record Step(long process, long invokeNs, Long completeNs, String outcome, String operation) {

        static <I, O> Step of(Model<?, I, O> model, Operation<I, O> op) {
            String text = op.outcome() == Outcome.OK ? model.describe(op.input(), op.output())
                    : model.describe(op.input());
            Long complete = op.completeNs().isPresent() ? op.completeNs().getAsLong() : null;
            return new Step(op.process(), op.invokeNs(), complete, op.outcome().wireName(), text);
        }

        /** {@code process 3  120 .. 456  ok  get "k" -> "v"}. */
        String line() {
            String end = completeNs == null ? "open" : String.valueOf(completeNs);
            return "process " + process + "  " + invokeNs + " .. " + end + "  " + outcome + "  " + operation;
        }
    }
}
