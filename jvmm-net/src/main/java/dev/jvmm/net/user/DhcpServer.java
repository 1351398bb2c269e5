package dev.jvmm.net.user;

import java.io.ByteArrayOutputStream;

/**
 * A DHCP server for exactly one client address (RFC 2131, options from RFC 2132): it offers
 * and acknowledges 10.0.2.15 with router 10.0.2.2, DNS 10.0.2.3 and a /24 netmask.
 */
final class DhcpServer {

    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    static final int LEASE_SECONDS = 86400;

    private static final int FIXED_PART = 236;
    private static final int MAGIC_COOKIE = 0x63825363;
    private static final int DISCOVER = 1;
    private static final int OFFER = 2;
    private static final int REQUEST = 3;
    private static final int ACK = 5;
    private static final int NAK = 6;
    private static final int INFORM = 8;

    /**
     * A reply to send: UDP payload, where to send it (IP and MAC).
     *
     * @param payload the BOOTP message
     * @param dstIp   destination IP
     * @param dstMac  destination MAC
     */
    record Reply(byte[] payload, int dstIp, byte[] dstMac) {
    }

    /** What a request said that the reply depends on. */
    private record Request(int type, int requestedIp, int serverId) {
    }

    private DhcpServer() {
    }

    /**
     * Handles one BOOTP message (the UDP payload at {@code off}), or returns null for anything
     * malformed, not a DHCP request, or meant for another server.
     */
    static Reply handle(byte[] b, int off, int len) {
        if (len < FIXED_PART + 4 || Bytes.u8(b, off) != 1 || Bytes.u8(b, off + 1) != 1
                || Bytes.u8(b, off + 2) != 6 || Bytes.i32(b, off + FIXED_PART) != MAGIC_COOKIE) {
            return null;
        }
        Request req = parseOptions(b, off + FIXED_PART + 4, off + len);
        if (req == null) {
            return null;
        }
        int ciaddr = Bytes.i32(b, off + 12);
        return switch (req.type) {
            case DISCOVER -> reply(b, off, OFFER, VirtualLan.GUEST_IP);
            case REQUEST -> {
                if (req.serverId != 0 && req.serverId != VirtualLan.GATEWAY_IP) {
                    yield null; // the client chose another server
                }
                int wanted = req.requestedIp != 0 ? req.requestedIp : ciaddr;
                yield wanted == 0 || wanted == VirtualLan.GUEST_IP
                        ? reply(b, off, ACK, VirtualLan.GUEST_IP)
                        : reply(b, off, NAK, 0);
            }
            case INFORM -> reply(b, off, ACK, 0);
            default -> null; // DECLINE and RELEASE need no answer
        };
    }

    /** Reads options 53, 50 and 54; returns null if the list overruns or has no message type. */
    private static Request parseOptions(byte[] b, int i, int end) {
        int type = 0;
        int requested = 0;
        int server = 0;
        while (i < end) {
            int code = Bytes.u8(b, i);
            if (code == 255) {
                break;
            }
            if (code == 0) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return null;
            }
            int len = Bytes.u8(b, i + 1);
            int v = i + 2;
            if (v + len > end) {
                return null;
            }
            if (code == 53 && len == 1) {
                type = Bytes.u8(b, v);
            } else if (code == 50 && len == 4) {
                requested = Bytes.i32(b, v);
            } else if (code == 54 && len == 4) {
                server = Bytes.i32(b, v);
            }
            i = v + len;
        }
        return type == 0 ? null : new Request(type, requested, server);
    }

    private static Reply reply(byte[] b, int off, int type, int yiaddr) {
        byte[] fixed = new byte[FIXED_PART + 4];
        fixed[0] = 2; // BOOTREPLY
        fixed[1] = 1;
        fixed[2] = 6;
        System.arraycopy(b, off + 4, fixed, 4, 4);      // xid
        System.arraycopy(b, off + 10, fixed, 10, 2);    // flags
        int ciaddr = Bytes.i32(b, off + 12);
        if (type != NAK) {
            Bytes.put32(fixed, 12, ciaddr);
        }
        Bytes.put32(fixed, 16, yiaddr);
        Bytes.put32(fixed, 20, type == NAK ? 0 : VirtualLan.GATEWAY_IP); // siaddr
        System.arraycopy(b, off + 24, fixed, 24, 4);    // giaddr
        System.arraycopy(b, off + 28, fixed, 28, 16);   // chaddr
        Bytes.put32(fixed, FIXED_PART, MAGIC_COOKIE);

        ByteArrayOutputStream out = new ByteArrayOutputStream(300);
        out.writeBytes(fixed);
        option(out, 53, new byte[] {(byte) type});
        option(out, 54, ip(VirtualLan.GATEWAY_IP));
        if (type != NAK) {
            if (type != ACK || yiaddr != 0) { // no lease for an INFORM
                option(out, 51, ip(LEASE_SECONDS));
                option(out, 58, ip(LEASE_SECONDS / 2));
                option(out, 59, ip(LEASE_SECONDS / 8 * 7));
            }
            option(out, 1, ip(VirtualLan.NETMASK));
            option(out, 3, ip(VirtualLan.GATEWAY_IP));
            option(out, 6, ip(VirtualLan.DNS_IP));
            option(out, 28, ip(VirtualLan.SUBNET_BROADCAST));
        }
        out.write(255);
        while (out.size() < 300) {
            out.write(0); // BOOTP's minimum message size
        }

        byte[] chaddr = new byte[6];
        System.arraycopy(b, off + 28, chaddr, 0, 6);
        boolean broadcast = (Bytes.u16(b, off + 10) & 0x8000) != 0;
        if (type == NAK) {
            return new Reply(out.toByteArray(), VirtualLan.LIMITED_BROADCAST, VirtualLan.BROADCAST_MAC);
        }
        if (ciaddr != 0) {
            return new Reply(out.toByteArray(), ciaddr, chaddr);
        }
        return broadcast || yiaddr == 0
                ? new Reply(out.toByteArray(), VirtualLan.LIMITED_BROADCAST, VirtualLan.BROADCAST_MAC)
                : new Reply(out.toByteArray(), yiaddr, chaddr);
    }

    private static void option(ByteArrayOutputStream out, int code, byte[] value) {
        out.write(code);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ip(int v) {
        byte[] r = new byte[4];
        Bytes.put32(r, 0, v);
        return r;
    }
}
