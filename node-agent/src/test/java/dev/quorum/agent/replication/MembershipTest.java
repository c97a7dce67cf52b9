package dev.quorum.agent.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MembershipTest {

    @Test
    void parsesIdsHostsAndPortsInOrder() {
        var members = Membership.parseMembers("n1=127.0.0.1:7101, n2=localhost:7102,n3=http://10.0.0.3:7103");
        assertThat(List.copyOf(members.keySet())).containsExactly("n1", "n2", "n3");
        assertThat(members.get("n2").host()).isEqualTo("localhost");
        assertThat(members.get("n2").port()).isEqualTo(7102);
        assertThat(members.get("n3").host()).isEqualTo("10.0.0.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"n1=127.0.0.1", "n1=127.0.0.1:", "n1=:7101", "=127.0.0.1:7101", "n1", "n 1=h:1",
        "n1=h:1,n1=h:2", "n1=h:abc", "n1=h:1/path"})
    void refusesMalformedEntries(String spec) {
        assertThatThrownBy(() -> Membership.parseMembers(spec)).isInstanceOf(IllegalArgumentException.class);
    }
}
