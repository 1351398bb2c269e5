package dev.jvmm.devices.virtio.queue;

import dev.jvmm.memory.GuestMemory;
import java.util.List;
import java.util.Objects;

/** Reads a chain's device-readable buffers as one byte stream. */
public final class ChainReader {

    private final GuestMemory memory;
    private final ChainCursor cursor;
    private long remaining;

    public ChainReader(GuestMemory memory, List<GuestBuffer> buffers) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.cursor = new ChainCursor(buffers);
        this.remaining = cursor.totalLength();
    }

    /** Bytes not yet read. */
    public long remaining() {
        return remaining;
    }

    /** Copies the next {@code length} bytes into {@code dst[offset..]}; throws if fewer remain. */
    public void read(byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        if (length > remaining) {
            throw new IllegalStateException("read of %d bytes with %d left in the chain".formatted(length, remaining));
        }
        cursor.transfer(offset, length, (address, at, n) -> memory.read(address, dst, at, n));
        remaining -= length;
    }

    /** Reads a little-endian 32-bit value. */
    public int readInt() {
        byte[] b = new byte[4];
        read(b, 0, 4);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    /** Reads a little-endian 64-bit value. */
    public long readLong() {
        return (readInt() & 0xFFFF_FFFFL) | (long) readInt() << 32;
    }
}
