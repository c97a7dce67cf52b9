package dev.quorum.check;

import java.util.Optional;

/**
 * Quorum's data plane, one register per key: {@code put} sets the value, {@code delete} makes it absent,
 * {@code get} returns the value or absent. Keys start absent. The output of a get is what it read
 * ({@code Optional.empty()} = absent); puts and deletes answer {@code Optional.empty()}.
 */
public final class KvRegisterModel implements Model<Optional<String>, KvCall, Optional<String>> {

    public static final KvRegisterModel INSTANCE = new KvRegisterModel();

    private KvRegisterModel() {}

    @Override
    public Optional<String> initial() {
        return Optional.empty();
    }

    @Override
    public Optional<Optional<String>> step(Optional<String> state, KvCall call, Optional<String> output) {
        return switch (call.kind()) {
            case GET -> state.equals(output) ? Optional.of(state) : Optional.empty();
            case PUT, DELETE -> Optional.of(stepUnobserved(state, call));
        };
    }

    @Override
    public Optional<String> stepUnobserved(Optional<String> state, KvCall call) {
        return switch (call.kind()) {
            case GET -> state;
            case PUT -> Optional.of(call.value());
            case DELETE -> Optional.empty();
        };
    }

    @Override
    public boolean readOnly(KvCall call) {
        return call.kind() == KvCall.Kind.GET;
    }

    @Override
    public String partition(KvCall call) {
        return call.key();
    }

    @Override
    public String describe(KvCall call) {
        return switch (call.kind()) {
            case GET -> "get " + Quote.string(call.key());
            case PUT -> "put " + Quote.string(call.key()) + " " + Quote.string(call.value());
            case DELETE -> "delete " + Quote.string(call.key());
        };
    }

    @Override
    public String describe(KvCall call, Optional<String> output) {
        return call.kind() == KvCall.Kind.GET ? describe(call) + " -> " + Quote.value(output) : describe(call);
    }

    @Override
    public long stateBytes(Optional<String> state) {
        return 16 + state.map(v -> 40L + 2L * v.length()).orElse(0L);
    }

    @Override
    public String describeState(Optional<String> state) {
        return Quote.value(state);
    }
}
