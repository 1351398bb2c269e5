package dev.jvmm.net.user;

import java.nio.ByteBuffer;

/**
 * The test's own packet builder and parser (written apart from the backend's, so a shared
 * misunderstanding cannot hide): frames as a guest would send them, and views of the
 * frames the backend sends back.
 */
final class TestFrames {

    static final byte[] GUEST_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static final byte[] GW_MAC = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    static final byte[] BCAST = {-1, -1, -1, -1, -1, -1};
    static final int GUEST = ip("10.0.2.15");
    static final int GW = ip("10.0.2.2");
    static final int DNS = ip("10.0.2.3");

    static final int FIN = 1;
    static final int SYN = 2;
    static final int RST = 4;
    static final int PSH = 8;
    static final int ACK = 16;

    private TestFrames() {
    }

    static int ip(String dotted) {
        String[] p = dotted.split("\\.");
        return Integer.parseInt(p[0]) << 24 | Integer.parseInt(p[1]) << 16 | Integer.parseInt(p[2]) << 8
                | Integer.parseInt(p[3]);
    }

    static int cksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static long pseudo(int src, int dst, int proto, int len) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
    }

    static ByteBuffer eth(byte[] dst, byte[] src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(dst).put(src).putShort((short) type).put(payload);
        return b.flip();
    }

    static ByteBuffer arpRequest(int senderIp, int targetIp) {
        ByteBuffer a = ByteBuffer.allocate(28);
        a.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        a.put(GUEST_MAC).putInt(senderIp).put(new byte[6]).putInt(targetIp);
        return eth(BCAST, GUEST_MAC, 0x0806, a.array());
    }

    static byte[] ipv4(int src, int dst, int proto, byte[] l4) {
        byte[] p = new byte[20 + l4.length];
        ByteBuffer b = ByteBuffer.wrap(p);
        b.put((byte) 0x45).put((byte) 0).putShort((short) p.length).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst).put(l4);
        int c = cksum(p, 0, 20, 0);
        p[10] = (byte) (c >> 8);
        p[11] = (byte) c;
        return p;
    }

    static ByteBuffer ipFrame(byte[] dstMac, int src, int dst, int proto, byte[] l4) {
        return eth(dstMac, GUEST_MAC, 0x0800, ipv4(src, dst, proto, l4));
    }

    static byte[] udp(int src, int srcPort, int dst, int dstPort, byte[] data) {
        byte[] u = new byte[8 + data.length];
        ByteBuffer.wrap(u).putShort((short) srcPort).putShort((short) dstPort).putShort((short) u.length)
                .putShort((short) 0).put(data);
        int c = cksum(u, 0, u.length, pseudo(src, dst, 17, u.length));
        c = c == 0 ? 0xffff : c;
        u[6] = (byte) (c >> 8);
        u[7] = (byte) c;
        return u;
    }

    static ByteBuffer udpFrame(int src, int srcPort, int dst, int dstPort, byte[] data) {
        byte[] mac = dst == 0xffffffff ? BCAST : GW_MAC;
        return ipFrame(mac, src, dst, 17, udp(src, srcPort, dst, dstPort, data));
    }

    static byte[] tcp(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
                      int mss, byte[] data) {
        int hl = mss > 0 ? 24 : 20;
        byte[] t = new byte[hl + data.length];
        ByteBuffer b = ByteBuffer.wrap(t);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack)
                .put((byte) (hl / 4 << 4)).put((byte) flags).putShort((short) window).putShort((short) 0)
                .putShort((short) 0);
        if (mss > 0) {
            b.put((byte) 2).put((byte) 4).putShort((short) mss);
        }
        b.put(data);
        int c = cksum(t, 0, t.length, pseudo(src, dst, 6, t.length));
        t[16] = (byte) (c >> 8);
        t[17] = (byte) c;
        return t;
    }

    static ByteBuffer tcpFrame(int dst, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                               int mss, byte[] data) {
        return ipFrame(GW_MAC, GUEST, dst, 6, tcp(GUEST, srcPort, dst, dstPort, seq, ack, flags, window, mss, data));
    }

    /** A parsed IPv4 frame from the backend, with its checksums verified. */
    record Ip(byte[] frame, byte[] dstMac, int src, int dst, int proto, int l4Off, int l4Len) {

        static Ip parse(byte[] f) {
            if (f.length < 34 || (f[12] & 0xff) != 0x08 || f[13] != 0) {
                return null;
            }
            int ihl = (f[14] & 0xf) * 4;
            int total = ((f[16] & 0xff) << 8) | (f[17] & 0xff);
            if (cksum(f, 14, ihl, 0) != 0) {
                throw new AssertionError("bad IPv4 header checksum from backend");
            }
            if (14 + total > f.length) {
                throw new AssertionError("IPv4 total length beyond frame");
            }
            byte[] mac = new byte[6];
            System.arraycopy(f, 0, mac, 0, 6);
            ByteBuffer b = ByteBuffer.wrap(f);
            return new Ip(f, mac, b.getInt(26), b.getInt(30), f[23] & 0xff, 14 + ihl, total - ihl);
        }

        void verifyTransportChecksum() {
            if (cksum(frame, l4Off, l4Len, pseudo(src, dst, proto, l4Len)) != 0) {
                throw new AssertionError("bad transport checksum from backend");
            }
        }
    }

    /** A TCP segment from the backend. */
    record Tcp(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window, int mss,
               byte[] data) {

        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        static Tcp parse(byte[] f) {
            Ip ip = Ip.parse(f);
            if (ip == null || ip.proto() != 6) {
                return null;
            }
            ip.verifyTransportChecksum();
            ByteBuffer b = ByteBuffer.wrap(f);
            int o = ip.l4Off();
            int hl = ((f[o + 12] & 0xff) >> 4) * 4;
            int mss = 0;
            if (hl >= 24 && f[o + 20] == 2 && f[o + 21] == 4) {
                mss = b.getShort(o + 22) & 0xffff;
            }
            byte[] data = new byte[ip.l4Len() - hl];
            System.arraycopy(f, o + hl, data, 0, data.length);
            return new Tcp(ip.src(), b.getShort(o) & 0xffff, ip.dst(), b.getShort(o + 2) & 0xffff, b.getInt(o + 4),
                    b.getInt(o + 8), f[o + 13] & 0x3f, b.getShort(o + 14) & 0xffff, mss, data);
        }
    }

    /** A UDP datagram from the backend. */
    record Udp(byte[] dstMac, int src, int srcPort, int dst, int dstPort, byte[] data) {

        static Udp parse(byte[] f) {
            Ip ip = Ip.parse(f);
            if (ip == null || ip.proto() != 17) {
                return null;
            }
            ip.verifyTransportChecksum();
            ByteBuffer b = ByteBuffer.wrap(f);
            int o = ip.l4Off();
            int len = b.getShort(o + 4) & 0xffff;
            byte[] data = new byte[len - 8];
            System.arraycopy(f, o + 8, data, 0, data.length);
            return new Udp(ip.dstMac(), ip.src(), b.getShort(o) & 0xffff, ip.dst(), b.getShort(o + 2) & 0xffff, data);
        }
    }
}
