package dev.quorum.check;

import java.util.Locale;

/** What the client learned about an operation. */
public enum Outcome {
    /** It happened, between its invocation and its completion, and its output was observed. */
    OK,
    /** A definite failure: it did not happen. The checker drops it. */
    FAIL,
    /**
     * It may or may not have happened (timeout, a 5xx after some replica may have written, no answer at all):
     * it stays open until the end of the history and its output is not constrained.
     */
    UNKNOWN;

    /** The lower-case name used in history files ({@code ok}, {@code fail}, {@code unknown}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
