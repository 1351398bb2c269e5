package dev.jvmm.cli.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpUriTest {

    @Test
    void hostAndPort() {
        assertThat(TcpUri.parse("tcp:10.0.0.2:4444")).isEqualTo(new TcpUri("10.0.0.2", 4444));
        assertThat(TcpUri.parse("tcp:dest.example:1")).isEqualTo(new TcpUri("dest.example", 1));
    }

    @Test
    void ipv6AddressInBrackets() {
        TcpUri uri = TcpUri.parse("tcp:[::1]:65535");
        assertThat(uri).isEqualTo(new TcpUri("::1", 65535));
        assertThat(uri).hasToString("tcp:[::1]:65535");
    }

    @Test
    void emptyHostMeansEveryAddressForListening() {
        TcpUri uri = TcpUri.parse("tcp::4444");
        assertThat(uri.anyHost()).isTrue();
        assertThat(uri.listenAddress()).isEqualTo(new InetSocketAddress(4444));
        assertThat(uri).hasToString("tcp::4444");
    }

    @Test
    void printsAsParsed() {
        assertThat(TcpUri.parse("tcp:127.0.0.1:80")).hasToString("tcp:127.0.0.1:80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.2:4444", "unix:/tmp/sock", "tcp:host", "tcp:host:", "tcp:host:0", "tcp:host:65536",
            "tcp:host:99999999999", "tcp:host:http", "tcp:::1:4444", "tcp:[]:4444", "tcp:[zz]:4444", "tcp:a b:1", "tcp:host:-1"})
    void badAddressesAreRefusedWithAMessageNamingThem(String text) {
        assertThatThrownBy(() -> TcpUri.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad address '" + text + "'");
    }

    @Test
    void ipv6WithoutBracketsSaysHowToWriteIt() {
        assertThatThrownBy(() -> TcpUri.parse("tcp:::1:4444")).hasMessageContaining("in brackets");
    }
}
