package dev.jvmm.net.user;

/**
 * A TCP segment from the guest (RFC 9293 §3.1), validated: header length, checksum and the
 * options' lengths were checked; only the MSS option is kept.
 *
 * @param srcPort   guest port
 * @param dstPort   destination port
 * @param seq       sequence number
 * @param ack       acknowledgment number
 * @param flags     the flag bits (FIN 0x01 ... ACK 0x10)
 * @param window    the advertised window (unscaled: window scaling is never agreed)
 * @param mss       the MSS option, or 0 if absent
 * @param data      the frame holding the payload
 * @param dataOff   where the payload starts in {@code data}
 * @param dataLen   the payload's length
 */
record TcpSegment(int srcPort, int dstPort, int seq, int ack, int flags, int window, int mss,
                  byte[] data, int dataOff, int dataLen) {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The sequence space the segment occupies: payload plus one each for SYN and FIN. */
    int seqLength() {
        return dataLen + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    /** Parses the TCP segment carried by {@code ip}, or returns null if it is malformed. */
    static TcpSegment parse(Ipv4Packet ip) {
        byte[] b = ip.frame();
        int off = ip.payloadOff();
        int len = ip.payloadLen();
        if (len < 20) {
            return null;
        }
        int headerLen = (Bytes.u8(b, off + 12) >>> 4) * 4;
        if (headerLen < 20 || headerLen > len) {
            return null;
        }
        if (!ip.transportChecksumOk()) {
            return null;
        }
        int mss = 0;
        int i = off + 20;
        int end = off + headerLen;
        while (i < end) {
            int kind = Bytes.u8(b, i);
            if (kind == 0) {
                break; // end of option list
            }
            if (kind == 1) {
                i++; // no-operation
                continue;
            }
            if (i + 1 >= end) {
                return null;
            }
            int optLen = Bytes.u8(b, i + 1);
            if (optLen < 2 || i + optLen > end) {
                return null;
            }
            if (kind == 2) {
                if (optLen != 4) {
                    return null;
                }
                mss = Bytes.u16(b, i + 2);
            }
            i += optLen;
        }
        return new TcpSegment(Bytes.u16(b, off), Bytes.u16(b, off + 2), Bytes.i32(b, off + 4),
                Bytes.i32(b, off + 8), Bytes.u8(b, off + 13) & 0x3f, Bytes.u16(b, off + 14), mss,
                b, off + headerLen, len - headerLen);
    }
}
