package dev.quorum.check;

import dev.quorum.client.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a Quorum history, one JSON line per operation, in the order given (completion order is fine: the
 * reader does not need them sorted). Safe to call from several recording threads; each line is written whole.
 */
public final class QuorumHistoryWriter implements Closeable {
    private final Writer out;

    public QuorumHistoryWriter(Writer out) {
        this.out = out;
    }

    public synchronized void write(Operation<KvCall, Optional<String>> op) throws IOException {
        out.write(line(op));
        out.write('\n');
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** The JSON line for one operation, without its newline. */
    public static String line(Operation<KvCall, Optional<String>> op) {
        KvCall call = op.input();
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("process", op.process());
        o.put("op", call.kind().name().toLowerCase(java.util.Locale.ROOT));
        o.put("key", call.key());
        switch (call.kind()) {
            case PUT -> o.put("value", call.value());
            case GET -> {
                if (op.outcome() == Outcome.OK) {
                    o.put("value", op.output().orElse(null));
                }
            }
            case DELETE -> { }
        }
        o.put("invoke_ns", op.invokeNs());
        op.completeNs().ifPresent(c -> o.put("complete_ns", c));
        o.put("outcome", op.outcome().wireName());
        return Json.MAPPER.writeValueAsString(o);
    }
}
