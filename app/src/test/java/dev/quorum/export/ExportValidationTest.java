package dev.quorum.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bad input is an IllegalArgumentException whose message tells the operator what to fix. */
class ExportValidationTest {

    @Test
    void strategiesParseByTheirContractNames() {
        assertThat(Strategy.values()).extracting(Strategy::label).containsExactly("round-robin",
                "weighted-round-robin", "least-connections", "power-of-two-choices", "least-time", "consistent-hash");
        for (Strategy s : Strategy.values()) {
            assertThat(Strategy.parse(s.label())).isSameAs(s);
        }
        assertThat(Strategy.parse(" Least-Time ")).isSameAs(Strategy.LEAST_TIME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fastest", "", "round_robin", "least_conn"})
    void anUnknownStrategyListsTheValidOnes(String name) {
        assertThatThrownBy(() -> Strategy.parse(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown strategy '" + name + "'; valid strategies: round-robin, weighted-round-robin,"
                        + " least-connections, power-of-two-choices, least-time, consistent-hash");
    }

    @Test
    void idsDefaultToPositionAndEntriesMayNameThem() {
        List<Backend> b = Backends.parse(List.of("http://127.0.0.1:7101", "db=http://127.0.0.1:7102",
                " http://127.0.0.1:7103/ "));
        assertThat(b).extracting(Backend::id).containsExactly("n1", "db", "n3");
        assertThat(b).extracting(Backend::address)
                .containsExactly("127.0.0.1:7101", "127.0.0.1:7102", "127.0.0.1:7103");
        assertThat(b).allSatisfy(x -> {
            assertThat(x.weight()).isEqualTo(1);
            assertThat(x.backup()).isFalse();
            assertThat(x.drain()).isFalse();
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:7101               | it must start with http://",
        "https://127.0.0.1:7101       | it must start with http://",
        "http://                      | bad URL for n1",
        "http://127.0.0.1:7101/kv     | without a path",
        "http://127.0.0.1:7101?x=1    | a query or fragment is not allowed",
        "http://u:p@127.0.0.1:7101    | user info is not allowed",
        "http://127.0.0.1:70000       | port out of range",
        "http://bad host:7101         | bad URL for n1",
        "http://a;b:7101              | bad URL for n1",
        "'   '                        | empty",
    })
    void aBadUrlIsRefused(String url, String why) {
        assertThatThrownBy(() -> Backends.parse(List.of(url))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad URL for n1").hasMessageContaining(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-x=http://127.0.0.1:7101", "a b=http://127.0.0.1:7101", "n{1}=http://127.0.0.1:7101"})
    void aBadIdIsRefused(String entry) {
        assertThatThrownBy(() -> Backends.parse(List.of(entry))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad node id");
    }

    @Test
    void aDuplicateIdIsRefused() {
        List<Backend> b = Backends.parse(List.of("http://127.0.0.1:7101", "n1=http://127.0.0.1:7102"));
        assertThatThrownBy(() -> ExportSpec.of(b, Strategy.ROUND_ROBIN, 7100))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("duplicate node id 'n1'");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, 100000})
    void aListenPortOutOfRangeIsRefused(int port) {
        assertThatThrownBy(() -> ExportSpec.of(Specs.three(), Strategy.ROUND_ROBIN, port))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listen port " + port + " is out of range 1..65535");
    }

    @Test
    void listenPortsAtTheEdgesAreAccepted() {
        assertThat(ExportSpec.of(Specs.three(), Strategy.ROUND_ROBIN, 1).listenPort()).isEqualTo(1);
        assertThat(ExportSpec.of(Specs.three(), Strategy.ROUND_ROBIN, 65535).listenPort()).isEqualTo(65535);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -3, 257, 1000})
    void aWeightOutOfRangeIsRefused(int w) {
        assertThatThrownBy(() -> Backends.apply(Specs.three(), Map.of("n2", w), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight of n2 is " + w + "; it must be in 1..256");
    }

    @Test
    void weightsAtTheEdgesAreAccepted() {
        List<Backend> b = Backends.apply(Specs.three(), Map.of("n1", 1, "n3", 256), List.of(), List.of());
        assertThat(b).extracting(Backend::weight).containsExactly(1, 1, 256);
    }

    @Test
    void weightEntriesParse() {
        assertThat(Backends.parseWeights(List.of("n1=2", " n2 = 1 "))).isEqualTo(Map.of("n1", 2, "n2", 1));
        assertThatThrownBy(() -> Backends.parseWeights(List.of("n1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use id=weight");
        assertThatThrownBy(() -> Backends.parseWeights(List.of("n1=heavy")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number in 1..256");
        assertThatThrownBy(() -> Backends.parseWeights(List.of("n1=2", "n1=3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("weight of n1 given twice");
    }

    @Test
    void weightsAndFlagsMustNameKnownNodes() {
        assertThatThrownBy(() -> Backends.apply(Specs.three(), Map.of("n9", 2), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight names unknown node 'n9'; the nodes are n1, n2, n3");
        assertThatThrownBy(() -> Backends.apply(Specs.three(), Map.of(), List.of("x"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("backup names unknown node 'x'");
        assertThatThrownBy(() -> Backends.apply(Specs.three(), Map.of(), List.of(), List.of("y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("drain names unknown node 'y'");
    }

    @Test
    void aNodeCannotBeBothBackupAndDrain() {
        assertThatThrownBy(() -> Backends.apply(Specs.three(), Map.of(), List.of("n1"), List.of("n1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("n1 cannot be both backup and drain");
    }

    @Test
    void someNodeMustTakeTraffic() {
        List<Backend> b = Backends.apply(Specs.three(), Map.of(), List.of("n1", "n2"), List.of("n3"));
        assertThatThrownBy(() -> ExportSpec.of(b, Strategy.ROUND_ROBIN, 7100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("every node is backup or drain: at least one must take traffic");
    }

    @Test
    void noBackendsIsRefused() {
        assertThatThrownBy(() -> Backends.parse(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no backends: give at least one node URL");
        assertThatThrownBy(() -> ExportSpec.of(List.of(), Strategy.ROUND_ROBIN, 7100))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no backends: give at least one node URL");
    }

    @Test
    void aBodyLimitOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new ExportSpec(Specs.three(), Strategy.ROUND_ROBIN, 7100, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max body bytes 0");
        assertThatThrownBy(() -> new ExportSpec(Specs.three(), Strategy.ROUND_ROBIN, 7100, 65L * 1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    }

    @Test
    void aBackendBuiltDirectlyIsValidatedToo() {
        assertThatThrownBy(() -> new Backend("n1", URI.create("ftp://h:1"), 1, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with http://");
        assertThatThrownBy(() -> new Backend("n1", null, 1, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bad URL for n1: missing");
    }
}
