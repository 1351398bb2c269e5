package dev.jvmm.devices.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MacAddressTest {

    @Test
    void qemuDefaultIsLocallyAdministeredUnicast() {
        assertThat(MacAddress.QEMU_DEFAULT.toString()).isEqualTo("52:54:00:12:34:56");
        assertThat(MacAddress.QEMU_DEFAULT.bytes()).containsExactly(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
        assertThat(MacAddress.QEMU_DEFAULT.isLocallyAdministered()).isTrue();
    }

    @Test
    void slotsCountUpFromTheDefault() {
        assertThat(MacAddress.forSlot(0)).isEqualTo(MacAddress.QEMU_DEFAULT);
        assertThat(MacAddress.forSlot(1).toString()).isEqualTo("52:54:00:12:34:57");
        assertThat(MacAddress.forSlot(0xAA).toString()).isEqualTo("52:54:00:12:35:00");
    }

    @Test
    void parsesAndRoundTripsBytes() {
        MacAddress mac = MacAddress.parse("02-00-5e-10-00-01");
        assertThat(mac.toString()).isEqualTo("02:00:5e:10:00:01");
        assertThat(MacAddress.of(mac.bytes())).isEqualTo(mac);
    }

    @Test
    void rejectsMulticastAndMalformedAddresses() {
        assertThatThrownBy(() -> MacAddress.parse("01:00:5e:00:00:01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.parse("52:54:00:12:34")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.parse("52:54:00:12:34:5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.of(new byte[5])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MacAddress(1L << 48)).isInstanceOf(IllegalArgumentException.class);
    }
}
