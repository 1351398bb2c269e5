package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetConfigTest {

    private static NetConfig.HostForward tcp(byte[] address, int hostPort, int guestPort) throws Exception {
        return new NetConfig.HostForward(NetConfig.Protocol.TCP, InetAddress.getByAddress(address), hostPort, guestPort);
    }

    @Test
    void macAddressPrintsAsColonHexAndNumbersFurtherCardsInItsLowBits() {
        assertThat(NetConfig.DEFAULT_MAC.toString()).isEqualTo("52:54:00:12:34:56");
        assertThat(NetConfig.DEFAULT_MAC.plus(1).toString()).isEqualTo("52:54:00:12:34:57");
        assertThat(new NetConfig.MacAddress(0x525400ffffffL).plus(1).toString()).isEqualTo("52:54:00:00:00:00");
        assertThat(new NetConfig.MacAddress(0x010000000001L).isUnicast()).isFalse();
        assertThat(new NetConfig.MacAddress(0).isUnicast()).isFalse();
    }

    @Test
    void multicastMacAndTwiceForwardedPortAreRefused() throws Exception {
        NetConfig multicast = new NetConfig(NetConfig.Backend.USER, List.of(),
                Optional.of(new NetConfig.MacAddress(0x33_00_00_00_00_01L)));
        assertThatThrownBy(multicast::validate).isInstanceOf(MachineException.class).hasMessageContaining("not a unicast");
        byte[] loopback = {127, 0, 0, 1};
        NetConfig twice = new NetConfig(NetConfig.Backend.USER,
                List.of(tcp(loopback, 2222, 22), tcp(new byte[4], 2222, 80)), Optional.empty());
        assertThatThrownBy(twice::validate).hasMessage("net: host port tcp 2222 is forwarded twice");
        new NetConfig(NetConfig.Backend.USER, List.of(tcp(loopback, 2222, 22), tcp(loopback, 2223, 22)), Optional.empty())
                .validate();
    }

    @Test
    void portsOutOfRangeCannotBeBuilt() {
        assertThatThrownBy(() -> tcp(new byte[4], 0, 22)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tcp(new byte[4], 22, 65536)).isInstanceOf(IllegalArgumentException.class);
    }
}
