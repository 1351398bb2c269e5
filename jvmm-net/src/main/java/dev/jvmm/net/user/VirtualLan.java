package dev.jvmm.net.user;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The fixed addresses of the virtual LAN and helpers for IPv4 addresses held as ints. */
public final class VirtualLan {

    /** 10.0.2.0, the network; the prefix is /24. */
    public static final int NETWORK = ip(10, 0, 2, 0);
    /** 255.255.255.0. */
    public static final int NETMASK = ip(255, 255, 255, 0);
    /** 10.0.2.2: the gateway, which is also the host (its loopback). */
    public static final int GATEWAY_IP = ip(10, 0, 2, 2);
    /** 10.0.2.3: the DNS forwarder. */
    public static final int DNS_IP = ip(10, 0, 2, 3);
    /** 10.0.2.15: the one guest address the DHCP server leases. */
    public static final int GUEST_IP = ip(10, 0, 2, 15);
    /** 10.0.2.255. */
    public static final int SUBNET_BROADCAST = ip(10, 0, 2, 255);
    /** 255.255.255.255. */
    public static final int LIMITED_BROADCAST = 0xffffffff;

    /** The MAC of 10.0.2.2 and 10.0.2.3 (the one QEMU uses, 52:55:0a:00:02:02). */
    public static final byte[] GATEWAY_MAC = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    /** ff:ff:ff:ff:ff:ff. */
    public static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};

    private VirtualLan() {
    }

    /** Packs four octets into an int, most significant first. */
    public static int ip(int a, int b, int c, int d) {
        return (a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff);
    }

    /** True for addresses inside 10.0.2.0/24. */
    public static boolean inLan(int ip) {
        return (ip & NETMASK) == NETWORK;
    }

    /** The address as an {@link InetAddress}. */
    public static Inet4Address toInet(int ip) {
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid IPv4 address
        }
    }

    /** The IPv4 address as an int, or throws for IPv6. */
    public static int fromInet(InetAddress address) {
        if (!(address instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address.getHostAddress());
        }
        byte[] b = v4.getAddress();
        return ip(b[0], b[1], b[2], b[3]);
    }

    /** Dotted-quad text of an address. */
    public static String format(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xff) + "." + (ip >>> 8 & 0xff) + "." + (ip & 0xff);
    }
}
