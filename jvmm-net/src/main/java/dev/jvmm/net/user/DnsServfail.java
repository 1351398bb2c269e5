package dev.jvmm.net.user;

/**
 * Builds the answer the DNS forwarder gives when the host has no resolver: the query's
 * header and question section with QR, RA and RCODE=2 (SERVFAIL) set (RFC 1035 §4.1).
 */
final class DnsServfail {

    private static final int HEADER = 12;

    private DnsServfail() {
    }

    /** The SERVFAIL reply to the query at {@code off}, or null if it is not a DNS query. */
    static byte[] replyTo(byte[] b, int off, int len) {
        if (len < HEADER || (Bytes.u8(b, off + 2) & 0x80) != 0) {
            return null; // too short, or already a response
        }
        int questions = Bytes.u16(b, off + 4);
        int end = off + HEADER;
        int limit = off + len;
        int kept = 0;
        for (; kept < questions; kept++) {
            int next = skipQuestion(b, end, limit);
            if (next < 0) {
                break; // keep the questions that parse; the header says how many
            }
            end = next;
        }
        byte[] r = new byte[end - off];
        System.arraycopy(b, off, r, 0, r.length);
        r[2] = (byte) (0x80 | (r[2] & 0x79)); // QR, keep opcode and RD, clear AA/TC
        r[3] = (byte) (0x80 | 2);             // RA, RCODE 2
        Bytes.put16(r, 4, kept);
        Bytes.put16(r, 6, 0);
        Bytes.put16(r, 8, 0);
        Bytes.put16(r, 10, 0);
        return r;
    }

    /** Returns the offset after one question (name, type, class), or -1 if it overruns. */
    private static int skipQuestion(byte[] b, int i, int limit) {
        for (int labels = 0; labels < 128; labels++) {
            if (i >= limit) {
                return -1;
            }
            int l = Bytes.u8(b, i);
            if (l == 0) {
                i += 1;
                return i + 4 <= limit ? i + 4 : -1;
            }
            if ((l & 0xc0) == 0xc0) {
                i += 2; // a compression pointer ends the name
                return i + 4 <= limit ? i + 4 : -1;
            }
            if ((l & 0xc0) != 0) {
                return -1;
            }
            i += 1 + l;
        }
        return -1;
    }
}
