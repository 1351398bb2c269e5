package dev.jvmm.net.user;

/**
 * A validated IPv4 datagram inside an Ethernet frame (RFC 791): the header was checked
 * (version, header length, total length, checksum) and the payload range lies inside
 * {@code frame}.
 *
 * @param frame      the whole Ethernet frame
 * @param src        source address
 * @param dst        destination address
 * @param protocol   the payload's protocol number
 * @param payloadOff where the payload starts in {@code frame}
 * @param payloadLen the payload's length (from the total length field; Ethernet padding excluded)
 */
record Ipv4Packet(byte[] frame, int src, int dst, int protocol, int payloadOff, int payloadLen) {

    static final int ICMP = 1;
    static final int TCP = 6;
    static final int UDP = 17;

    /** Why a datagram was refused; fragments are not malformed, just unsupported. */
    enum Verdict { OK, MALFORMED, FRAGMENT }

    /**
     * Parses the datagram that starts at {@code off} and runs to {@code end}; returns null if
     * it is malformed or a fragment ({@link #check} tells which).
     */
    static Ipv4Packet parse(byte[] frame, int off, int end) {
        return check(frame, off, end) == Verdict.OK ? build(frame, off) : null;
    }

    /** Validates the header of the datagram at {@code off}. */
    static Verdict check(byte[] frame, int off, int end) {
        int avail = end - off;
        if (avail < 20) {
            return Verdict.MALFORMED;
        }
        int vihl = Bytes.u8(frame, off);
        int ihl = (vihl & 0xf) * 4;
        if (vihl >>> 4 != 4 || ihl < 20 || ihl > avail) {
            return Verdict.MALFORMED;
        }
        int total = Bytes.u16(frame, off + 2);
        if (total < ihl || total > avail) {
            return Verdict.MALFORMED;
        }
        if (Checksum.of(frame, off, ihl) != 0) {
            return Verdict.MALFORMED;
        }
        int flagsFrag = Bytes.u16(frame, off + 6);
        if ((flagsFrag & 0x2000) != 0 || (flagsFrag & 0x1fff) != 0) {
            return Verdict.FRAGMENT; // more-fragments set or non-zero offset
        }
        return Verdict.OK;
    }

    private static Ipv4Packet build(byte[] frame, int off) {
        int ihl = (Bytes.u8(frame, off) & 0xf) * 4;
        int total = Bytes.u16(frame, off + 2);
        return new Ipv4Packet(frame, Bytes.i32(frame, off + 12), Bytes.i32(frame, off + 16),
                Bytes.u8(frame, off + 9), off + ihl, total - ihl);
    }

    /** Checks a TCP or UDP checksum over the pseudo-header and this payload. */
    boolean transportChecksumOk() {
        int sum = Checksum.addPseudoHeader(0, src, dst, protocol, payloadLen);
        return Checksum.finish(Checksum.add(sum, frame, payloadOff, payloadLen)) == 0;
    }
}
