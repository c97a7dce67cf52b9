package dev.quorum.check;

import java.util.Objects;
import java.util.Optional;

/**
 * A single compare-and-set register (Jepsen's etcd test): {@code read}, {@code write v},
 * {@code cas from to}. It starts absent. A cas whose compare did not match is an observation too: the
 * register did not hold {@code from} when it took effect, and nothing changed.
 */
public final class CasRegisterModel implements Model<Optional<String>, CasRegisterModel.Call, CasRegisterModel.Reply> {

    public static final CasRegisterModel INSTANCE = new CasRegisterModel();

    public enum Kind { READ, WRITE, CAS }

    /** @param value written by a write, or the new value of a cas; {@code expected}: what a cas compares to */
    public record Call(Kind kind, String value, String expected) {
        public Call {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.READ) != (value == null) || (kind == Kind.CAS) != (expected != null)) {
                throw new IllegalArgumentException("read: no values; write: a value; cas: expected and new value");
            }
        }

        public static Call read() {
            return new Call(Kind.READ, null, null);
        }

        public static Call write(String value) {
            return new Call(Kind.WRITE, value, null);
        }

        public static Call cas(String expected, String value) {
            return new Call(Kind.CAS, value, expected);
        }
    }

    /**
     * @param read what a read returned (empty = absent)
     * @param matched whether a cas's compare matched; true for a write
     */
    public record Reply(Optional<String> read, boolean matched) {
        /** A write that took effect, or a cas whose compare matched. */
        public static final Reply OK = new Reply(Optional.empty(), true);
        /** A cas whose compare did not match: the register was not changed. */
        public static final Reply NOT_MATCHED = new Reply(Optional.empty(), false);

        public Reply {
            Objects.requireNonNull(read, "read");
        }

        public static Reply read(Optional<String> value) {
            return new Reply(value, false);
        }
    }

    private CasRegisterModel() {}

    @Override
    public Optional<String> initial() {
        return Optional.empty();
    }

    @Override
    public Optional<Optional<String>> step(Optional<String> state, Call call, Reply reply) {
        return switch (call.kind()) {
            case READ -> state.equals(reply.read()) ? Optional.of(state) : Optional.empty();
            case WRITE -> Optional.of(Optional.of(call.value()));
            case CAS -> {
                boolean matches = state.isPresent() && state.get().equals(call.expected());
                if (matches != reply.matched()) {
                    yield Optional.empty();
                }
                yield Optional.of(matches ? Optional.of(call.value()) : state);
            }
        };
    }

    @Override
    public Optional<String> stepUnobserved(Optional<String> state, Call call) {
        return switch (call.kind()) {
            case READ -> state;
            case WRITE -> Optional.of(call.value());
            case CAS -> state.isPresent() && state.get().equals(call.expected()) ? Optional.of(call.value()) : state;
        };
    }

    @Override
    public boolean readOnly(Call call) {
        return call.kind() == Kind.READ;
    }

    @Override
    public String describe(Call call) {
        return switch (call.kind()) {
            case READ -> "read";
            case WRITE -> "write " + Quote.string(call.value());
            case CAS -> "cas " + Quote.string(call.expected()) + " -> " + Quote.string(call.value());
        };
    }

    @Override
    public String describe(Call call, Reply reply) {
        return switch (call.kind()) {
            case READ -> "read -> " + Quote.value(reply.read());
            case WRITE -> describe(call);
            case CAS -> describe(call) + (reply.matched() ? " (matched)" : " (did not match)");
        };
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
