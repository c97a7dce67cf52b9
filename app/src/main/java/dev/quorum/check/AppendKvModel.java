package dev.quorum.check;

import java.util.Objects;
import java.util.Optional;

/**
 * A key-value store with {@code get}, {@code put} and {@code append} (Porcupine's kv histories): get
 * returns the key's whole value, {@code ""} when it was never written; append concatenates. The output of a
 * get is the string it read; puts and appends answer {@code ""}.
 */
public final class AppendKvModel implements Model<String, AppendKvModel.Call, String> {

    public static final AppendKvModel INSTANCE = new AppendKvModel();

    public enum Kind { GET, PUT, APPEND }

    /** @param value what a put writes or an append adds; {@code null} for a get */
    public record Call(Kind kind, String key, String value) {
        public Call {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            if ((kind == Kind.GET) != (value == null)) {
                throw new IllegalArgumentException("put and append carry a value, get does not");
            }
        }
    }

    private AppendKvModel() {}

    @Override
    public String initial() {
        return "";
    }

    @Override
    public Optional<String> step(String state, Call call, String output) {
        if (call.kind() == Kind.GET) {
            return state.equals(output) ? Optional.of(state) : Optional.empty();
        }
        return Optional.of(stepUnobserved(state, call));
    }

    @Override
    public String stepUnobserved(String state, Call call) {
        return switch (call.kind()) {
            case GET -> state;
            case PUT -> call.value();
            case APPEND -> state + call.value();
        };
    }

    @Override
    public boolean readOnly(Call call) {
        return call.kind() == Kind.GET;
    }

    @Override
    public String partition(Call call) {
        return call.key();
    }

    @Override
    public String describe(Call call) {
        String k = Quote.string(call.key());
        return switch (call.kind()) {
            case GET -> "get " + k;
            case PUT -> "put " + k + " " + Quote.string(call.value());
            case APPEND -> "append " + k + " " + Quote.string(call.value());
        };
    }

    @Override
    public String describe(Call call, String output) {
        return call.kind() == Kind.GET ? describe(call) + " -> " + Quote.string(output) : describe(call);
    }

    @Override
    public long stateBytes(String state) {
        return 40 + 2L * state.length();
    }

    @Override
    public String describeState(String state) {
        return Quote.string(state);
    }
}
