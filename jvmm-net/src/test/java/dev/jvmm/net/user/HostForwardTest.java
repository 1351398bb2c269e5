package dev.jvmm.net.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostForwardTest {

    @Test
    void parsesFullSyntax() {
        HostForward f = HostForward.parse("hostfwd=tcp:127.0.0.2:2222-10.0.2.15:22");
        assertThat(f.hostAddress().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(f.hostPort()).isEqualTo(2222);
        assertThat(f.guestPort()).isEqualTo(22);
    }

    @Test
    void emptyHostAddressMeansLoopbackAndPrefixIsOptional() {
        HostForward f = HostForward.parse("tcp::8080-:80");
        assertThat(f.hostAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(f.hostPort()).isEqualTo(8080);
        assertThat(f.guestPort()).isEqualTo(80);
    }

    @Test
    void rejectsBadInputWithOneLineMessages() {
        String[] bad = {"", "hostfwd=udp::53-:53", "tcp:8080-:80", "tcp::8080:80", "tcp::x-:80", "tcp::8080-:0",
            "tcp::70000-:80", "tcp:1.2.3:80-:80", "tcp:1.2.3.256:80-:80", "tcp::80-10.0.2.16:80", "tcp::80-:"};
        for (String s : bad) {
            assertThatThrownBy(() -> HostForward.parse(s), s)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").isNotBlank());
        }
    }

    @Test
    void udpIsNamedAsUnsupported() {
        assertThatThrownBy(() -> HostForward.parse("hostfwd=udp::53-:53")).hasMessageContaining("only tcp");
    }
}
