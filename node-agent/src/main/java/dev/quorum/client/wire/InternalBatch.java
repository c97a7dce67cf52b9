package dev.quorum.client.wire;

import java.util.List;

/**
 * {@code POST /internal/batch}: replica operations from one node to another, sent together so a
 * busy coordinator pays one HTTP round trip for many client requests. {@code hlc} carries the
 * sender's clock so the receiver's hybrid clock never falls behind what it has seen.
 */
public record InternalBatch(String from, long hlc, List<InternalOp> ops) {}
