package dev.jvmm.net.user;

/** A fixed-capacity FIFO of bytes; not thread-safe (its owner locks). */
final class ByteRing {

    private final byte[] buf;
    private int head;
    private int size;

    ByteRing(int capacity) {
        buf = new byte[capacity];
    }

    int size() {
        return size;
    }

    int free() {
        return buf.length - size;
    }

    /** Appends as much of {@code src[off, off+len)} as fits; returns how much. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        int tail = (head + size) % buf.length;
        int first = Math.min(n, buf.length - tail);
        System.arraycopy(src, off, buf, tail, first);
        System.arraycopy(src, off + first, buf, 0, n - first);
        size += n;
        return n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes past the head, without removing them. */
    void peek(int offset, byte[] dst, int dstOff, int len) {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new IndexOutOfBoundsException("peek " + offset + "+" + len + " of " + size);
        }
        int start = (head + offset) % buf.length;
        int first = Math.min(len, buf.length - start);
        System.arraycopy(buf, start, dst, dstOff, first);
        System.arraycopy(buf, 0, dst, dstOff + first, len - first);
    }

    /** Drops {@code n} bytes from the head. */
    void discard(int n) {
        if (n < 0 || n > size) {
            throw new IndexOutOfBoundsException("discard " + n + " of " + size);
        }
        head = (head + n) % buf.length;
        size -= n;
    }

    /** Removes up to {@code len} bytes into {@code dst}; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        peek(0, dst, off, n);
        discard(n);
        return n;
    }
}
