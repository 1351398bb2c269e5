package dev.jvmm.devices.virtio.queue;

import dev.jvmm.memory.GuestMemory;
import java.util.List;
import java.util.Objects;

/** Writes into a chain's device-writable buffers as one byte stream, up to a limit. */
public final class ChainWriter {

    private final GuestMemory memory;
    private final List<GuestBuffer> buffers;
    private int buffer;
    private long offsetInBuffer;
    private long remaining;
    private long written;

    /** A writer over all of {@code buffers}. */
    public ChainWriter(GuestMemory memory, List<GuestBuffer> buffers) {
        this(memory, buffers, Long.MAX_VALUE);
    }

    /** A writer over the first {@code limit} bytes of {@code buffers}. */
    public ChainWriter(GuestMemory memory, List<GuestBuffer> buffers, long limit) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.buffers = List.copyOf(buffers);
        long total = 0;
        for (GuestBuffer b : this.buffers) {
            total += b.length();
        }
        this.remaining = Math.min(total, Math.max(0, limit));
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
        int done = 0;
        while (done < length) {
            GuestBuffer current = buffers.get(buffer);
            long available = current.length() - offsetInBuffer;
            if (available == 0) {
                buffer++;
                offsetInBuffer = 0;
                continue;
            }
            int n = (int) Math.min(available, length - done);
            memory.write(current.address() + offsetInBuffer, src, offset + done, n);
            offsetInBuffer += n;
            done += n;
        }
        remaining -= length;
        written += length;
    }
}
