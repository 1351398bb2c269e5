package dev.jvmm.net.user;

/** The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum. */
final class Checksum {

    private Checksum() {
    }

    /** Adds {@code len} bytes at {@code off} to a running 32-bit sum (big-endian 16-bit words). */
    static int add(int sum, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** Adds the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768) to a running sum. */
    static int addPseudoHeader(int sum, int srcIp, int dstIp, int protocol, int length) {
        sum += srcIp >>> 16;
        sum += srcIp & 0xffff;
        sum += dstIp >>> 16;
        sum += dstIp & 0xffff;
        sum += protocol;
        sum += length;
        return sum;
    }

    /** Folds a running sum to 16 bits and complements it. */
    static int finish(int sum) {
        long s = sum & 0xffffffffL;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    /** The checksum of a byte range. */
    static int of(byte[] b, int off, int len) {
        return finish(add(0, b, off, len));
    }
}
