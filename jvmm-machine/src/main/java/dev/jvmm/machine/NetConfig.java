package dev.jvmm.machine;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A virtio network card and the host side it connects to.
 *
 * @param backend      where the card's frames go
 * @param hostForwards host ports forwarded to guest ports (user-mode networking only)
 * @param mac          the card's address, or empty for the board's default (52:54:00:12:34:56 plus
 *                     the card's index, as QEMU numbers its cards)
 */
public record NetConfig(Backend backend, List<HostForward> hostForwards, Optional<MacAddress> mac)
        implements DeviceConfig {

    /** The first card's default address, QEMU's. */
    public static final MacAddress DEFAULT_MAC = new MacAddress(0x52_54_00_12_34_56L);

    public NetConfig {
        hostForwards = hostForwards == null ? null : List.copyOf(hostForwards);
    }

    /** The host side of a card. */
    public enum Backend {
        /** User-mode NAT in jvmm (jvmm-net): no privileges, the guest reaches out through host sockets. */
        USER
    }

    /** Transport protocols a forward can carry. */
    public enum Protocol { TCP, UDP }

    /**
     * Connections to {@code hostAddress:hostPort} on the host go to the guest's
     * {@code guestPort} (on the address the user-mode DHCP server gave it).
     */
    public record HostForward(Protocol protocol, InetAddress hostAddress, int hostPort, int guestPort) {
        public HostForward {
            if (protocol == null || hostAddress == null) {
                throw new IllegalArgumentException("protocol and host address must be given");
            }
            if (hostPort < 1 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
                throw new IllegalArgumentException("port out of range (1 to 65535): " + hostPort + ", " + guestPort);
            }
        }
    }

    /** A 48-bit Ethernet address, kept in the low bits of a long (first octet highest). */
    public record MacAddress(long bits) {
        public MacAddress {
            if ((bits >>> 48) != 0) {
                throw new IllegalArgumentException("not a 48-bit address: " + Long.toHexString(bits));
            }
        }

        /** Whether the address names one station (group bit clear) and is not all zeros. */
        public boolean isUnicast() {
            return bits != 0 && ((bits >>> 40) & 1) == 0;
        }

        /** The six octets, first on the wire first. */
        public byte[] octets() {
            byte[] b = new byte[6];
            for (int i = 0; i < 6; i++) {
                b[i] = (byte) (bits >>> (40 - 8 * i));
            }
            return b;
        }

        /** This address plus {@code n} in its low 24 bits (the NIC-specific part), as QEMU numbers cards. */
        public MacAddress plus(int n) {
            return new MacAddress((bits & ~0xff_ffffL) | ((bits + n) & 0xff_ffffL));
        }

        @Override
        public String toString() {
            return HexFormat.ofDelimiter(":").formatHex(octets());
        }
    }

    @Override
    public void validate() throws MachineException {
        if (backend == null || hostForwards == null || mac == null) {
            throw new MachineException("net: backend, forwards and mac must be given (mac as an Optional)");
        }
        if (mac.isPresent() && !mac.get().isUnicast()) {
            throw new MachineException("net: mac " + mac.get() + " is not a unicast address");
        }
        for (int i = 0; i < hostForwards.size(); i++) {
            for (int j = 0; j < i; j++) {
                HostForward a = hostForwards.get(i);
                HostForward b = hostForwards.get(j);
                if (a.protocol() == b.protocol() && a.hostPort() == b.hostPort()
                        && (a.hostAddress().equals(b.hostAddress()) || a.hostAddress().isAnyLocalAddress()
                            || b.hostAddress().isAnyLocalAddress())) {
                    throw new MachineException("net: host port %s %d is forwarded twice"
                            .formatted(a.protocol().name().toLowerCase(java.util.Locale.ROOT), a.hostPort()));
                }
            }
        }
    }

    @Override
    public String describe() {
        return "net " + backend.name().toLowerCase(java.util.Locale.ROOT);
    }
}
