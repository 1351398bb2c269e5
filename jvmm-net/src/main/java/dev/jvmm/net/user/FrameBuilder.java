package dev.jvmm.net.user;

/**
 * Builds the frames the virtual LAN sends to the guest: Ethernet II around IPv4 around
 * UDP, TCP or ICMP, with every checksum filled in. Frames always come from
 * {@link VirtualLan#GATEWAY_MAC}.
 */
final class FrameBuilder {

    static final int ETHERNET_HEADER = 14;
    static final int IPV4_HEADER = 20;
    static final int TCP_HEADER = 20;
    static final int UDP_HEADER = 8;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    /** The largest IPv4 datagram we send: an Ethernet MTU of 1500. */
    static final int MTU = 1500;

    private FrameBuilder() {
    }

    /** An Ethernet frame with room for {@code payloadLen} bytes after the header. */
    static byte[] ethernet(byte[] dstMac, int etherType, int payloadLen) {
        byte[] f = new byte[ETHERNET_HEADER + payloadLen];
        System.arraycopy(dstMac, 0, f, 0, 6);
        System.arraycopy(VirtualLan.GATEWAY_MAC, 0, f, 6, 6);
        Bytes.put16(f, 12, etherType);
        return f;
    }

    /** Writes an IPv4 header (no options, DF set, TTL 64) at {@link #ETHERNET_HEADER}. */
    private static void ipv4Header(byte[] f, int src, int dst, int protocol, int payloadLen) {
        int o = ETHERNET_HEADER;
        f[o] = 0x45;
        Bytes.put16(f, o + 2, IPV4_HEADER + payloadLen);
        Bytes.put16(f, o + 6, 0x4000);
        f[o + 8] = 64;
        f[o + 9] = (byte) protocol;
        Bytes.put32(f, o + 12, src);
        Bytes.put32(f, o + 16, dst);
        Bytes.put16(f, o + 10, Checksum.of(f, o, IPV4_HEADER));
    }

    /** A UDP datagram in a frame; the caller keeps {@code len} within one MTU. */
    static byte[] udp(byte[] dstMac, int src, int srcPort, int dst, int dstPort,
                      byte[] data, int off, int len) {
        int l4 = UDP_HEADER + len;
        byte[] f = ethernet(dstMac, ETHERTYPE_IPV4, IPV4_HEADER + l4);
        ipv4Header(f, src, dst, Ipv4Packet.UDP, l4);
        int u = ETHERNET_HEADER + IPV4_HEADER;
        Bytes.put16(f, u, srcPort);
        Bytes.put16(f, u + 2, dstPort);
        Bytes.put16(f, u + 4, l4);
        System.arraycopy(data, off, f, u + UDP_HEADER, len);
        int sum = Checksum.addPseudoHeader(0, src, dst, Ipv4Packet.UDP, l4);
        int c = Checksum.finish(Checksum.add(sum, f, u, l4));
        Bytes.put16(f, u + 6, c == 0 ? 0xffff : c); // zero means "no checksum" in UDP
        return f;
    }

    /** A TCP segment in a frame; {@code mss} > 0 adds the MSS option (for SYNs). */
    static byte[] tcp(byte[] dstMac, int src, int srcPort, int dst, int dstPort, int seq, int ack,
                      int flags, int window, int mss, byte[] data, int off, int len) {
        int headerLen = TCP_HEADER + (mss > 0 ? 4 : 0);
        int l4 = headerLen + len;
        byte[] f = ethernet(dstMac, ETHERTYPE_IPV4, IPV4_HEADER + l4);
        ipv4Header(f, src, dst, Ipv4Packet.TCP, l4);
        int t = ETHERNET_HEADER + IPV4_HEADER;
        Bytes.put16(f, t, srcPort);
        Bytes.put16(f, t + 2, dstPort);
        Bytes.put32(f, t + 4, seq);
        Bytes.put32(f, t + 8, ack);
        f[t + 12] = (byte) (headerLen / 4 << 4);
        f[t + 13] = (byte) flags;
        Bytes.put16(f, t + 14, window);
        if (mss > 0) {
            f[t + 20] = 2;
            f[t + 21] = 4;
            Bytes.put16(f, t + 22, mss);
        }
        if (len > 0) {
            System.arraycopy(data, off, f, t + headerLen, len);
        }
        int sum = Checksum.addPseudoHeader(0, src, dst, Ipv4Packet.TCP, l4);
        Bytes.put16(f, t + 16, Checksum.finish(Checksum.add(sum, f, t, l4)));
        return f;
    }

    /** An ICMP message (type, code, then {@code body} after the 4-byte type/code/checksum). */
    static byte[] icmp(byte[] dstMac, int src, int dst, int type, int code, byte[] body, int off, int len) {
        int l4 = 4 + len;
        byte[] f = ethernet(dstMac, ETHERTYPE_IPV4, IPV4_HEADER + l4);
        ipv4Header(f, src, dst, Ipv4Packet.ICMP, l4);
        int i = ETHERNET_HEADER + IPV4_HEADER;
        f[i] = (byte) type;
        f[i + 1] = (byte) code;
        System.arraycopy(body, off, f, i + 4, len);
        Bytes.put16(f, i + 2, Checksum.of(f, i, l4));
        return f;
    }

    /** An ARP reply (RFC 826) saying {@code senderIp} is at the gateway MAC. */
    static byte[] arpReply(byte[] targetMac, int targetIp, int senderIp) {
        byte[] f = ethernet(targetMac, ETHERTYPE_ARP, 28);
        int a = ETHERNET_HEADER;
        Bytes.put16(f, a, 1);          // hardware: Ethernet
        Bytes.put16(f, a + 2, 0x0800); // protocol: IPv4
        f[a + 4] = 6;
        f[a + 5] = 4;
        Bytes.put16(f, a + 6, 2);      // reply
        System.arraycopy(VirtualLan.GATEWAY_MAC, 0, f, a + 8, 6);
        Bytes.put32(f, a + 14, senderIp);
        System.arraycopy(targetMac, 0, f, a + 18, 6);
        Bytes.put32(f, a + 24, targetIp);
        return f;
    }
}
