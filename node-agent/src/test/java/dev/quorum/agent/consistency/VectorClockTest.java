package dev.quorum.agent.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorClockTest {
    private static final Set<String> MEMBERS = Set.of("n1", "n2", "n3");

    @Test
    void coversIsEntryWiseAndMissingEntriesAreZero() {
        VectorClock a = VectorClock.of(Map.of("n1", 3L, "n2", 1L));
        assertThat(a.covers(VectorClock.of(Map.of("n1", 3L)))).isTrue();
        assertThat(a.covers(VectorClock.of(Map.of("n1", 4L)))).isFalse();
        assertThat(a.covers(VectorClock.of(Map.of("n3", 1L)))).isFalse();
        assertThat(a.covers(VectorClock.EMPTY)).isTrue();
        assertThat(VectorClock.EMPTY.covers(a)).isFalse();
        assertThat(a.get("n3")).isZero();
    }

    @Test
    void mergeTakesTheMaximumAndWithOnlyRaises() {
        VectorClock a = VectorClock.of(Map.of("n1", 3L, "n2", 1L));
        VectorClock b = VectorClock.of(Map.of("n2", 5L, "n3", 2L));
        assertThat(a.merge(b).toMap()).isEqualTo(Map.of("n1", 3L, "n2", 5L, "n3", 2L));
        assertThat(a.with("n1", 2)).isSameAs(a);
        assertThat(a.with("n1", 7).get("n1")).isEqualTo(7);
        assertThat(a.set("n1", 0).toMap()).isEqualTo(Map.of("n2", 1L));
    }

    @Test
    void aTokenRoundTripsAndIsOpaqueBase64Url() {
        VectorClock a = VectorClock.of(Map.of("n1", 3L, "n3", 12L));
        String token = a.token();
        assertThat(token).matches("[A-Za-z0-9_-]+");
        assertThat(VectorClock.parseToken(token, MEMBERS::contains)).isEqualTo(a);
        assertThat(VectorClock.parseToken("", MEMBERS::contains)).isEqualTo(VectorClock.EMPTY);
        assertThat(VectorClock.parseToken(null, MEMBERS::contains)).isEqualTo(VectorClock.EMPTY);
        assertThat(VectorClock.EMPTY.token()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"n1", "n1:", ":3", "n1:x", "n1:3,,n2:1", "n1:1,n1:2", "n1:-1", "n1:99999999999999999999"})
    void malformedTokensAreRefused(String text) {
        String token = java.util.Base64.getUrlEncoder().encodeToString(text.getBytes());
        assertThatThrownBy(() -> VectorClock.parseToken(token, MEMBERS::contains))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session token");
    }

    @Test
    void tokensNamingNonMembersOrTooLongOrNotBase64AreRefused() {
        String foreign = VectorClock.of(Map.of("zz", 1L)).token();
        assertThatThrownBy(() -> VectorClock.parseToken(foreign, MEMBERS::contains))
                .hasMessageContaining("'zz'");
        assertThatThrownBy(() -> VectorClock.parseToken("%%", MEMBERS::contains)).hasMessageContaining("base64url");
        assertThatThrownBy(() -> VectorClock.parseToken("A".repeat(5_000), MEMBERS::contains))
                .hasMessageContaining("longer than");
    }
}
