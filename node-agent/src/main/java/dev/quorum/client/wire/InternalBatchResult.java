package dev.quorum.client.wire;

import java.util.List;

/** Results of an {@link InternalBatch}, one per op and in the same order. */
public record InternalBatchResult(String node, long hlc, List<InternalResult> results) {}
