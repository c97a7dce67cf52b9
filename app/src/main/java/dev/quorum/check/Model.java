package dev.quorum.check;

import java.util.Optional;

/**
 * A deterministic sequential specification: what a single copy of the object would do. The checker asks
 * whether some order of a history's operations, consistent with real time, is a run of this model.
 *
 * <p>States are compared with {@code equals}/{@code hashCode} (the search memoises on them), so they must be
 * immutable values. Each partition (see {@link #partition}) starts from {@link #initial()} on its own.
 *
 * @param <S> state
 * @param <I> an operation's input
 * @param <O> an operation's observed output
 */
public interface Model<S, I, O> {

    S initial();

    /** The state after {@code input} took effect and answered {@code output}; empty if it could not have. */
    Optional<S> step(S state, I input, O output);

    /** The state after {@code input} took effect when its answer was not observed (outcome unknown). */
    S stepUnobserved(S state, I input);

    /**
     * True when the input never changes the state (a read). Reads of unknown outcome constrain nothing and are
     * dropped before the search; a violation's report leaves out the reads it does not need.
     */
    default boolean readOnly(I input) {
        return false;
    }

    /**
     * The independent part of the object this input touches (a key). Linearizability is compositional:
     * each partition is checked on its own, in parallel.
     */
    default String partition(I input) {
        return "";
    }

    /**
     * Roughly how many bytes of heap a state holds (what the search's memory budget counts). The default
     * suits small fixed-size states; models whose states grow, such as strings, say so.
     */
    default long stateBytes(S state) {
        return 32;
    }

    /** The input for humans, for example {@code put k1 "v-3"}. */
    String describe(I input);

    /** The input with its observed output, for example {@code get k1 -> "v-3"}. */
    String describe(I input, O output);

    /** A state for humans, for example {@code "v-3"} or {@code absent}. */
    String describeState(S state);
}
