package dev.jvmm.devices.virtio.queue;

import dev.jvmm.memory.GuestMemory;
import java.util.List;
import java.util.Objects;

/** Writes into a chain's device-writable buffers as one byte stream, up to a limit. */
public final class ChainWriter {

    private final GuestMemory memory;
    private final ChainCursor cursor;
    private long remaining;
    private long written;

    /** A writer over all of {@code buffers}. */
    public ChainWriter(GuestMemory memory, List<GuestBuffer> buffers) {
        this(memory, buffers, Long.MAX_VALUE);
    }

    /** A writer over the first {@code limit} bytes of {@code buffers}. */
    public ChainWriter(GuestMemory memory, List<GuestBuffer> buffers, long limit) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.cursor = new ChainCursor(buffers);
        this.remaining = Math.min(cursor.totalLength(), Math.max(0, limit));
    }

    /** Bytes that still fit. */
    public long remaining() {
        return remaining;
    }

    /** Bytes written so far. */
    public long written() {
        return written;
    }

    /** Copies {@code src[offset..offset+length)} into the chain; throws if it does not fit. */
    public void write(byte[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (length > remaining) {
            throw new IllegalStateException("write of %d bytes with room for %d".formatted(length, remaining));
        }
        cursor.transfer(offset, length, (address, at, n) -> memory.write(address, src, at, n));
        remaining -= length;
        written += length;
    }
}
