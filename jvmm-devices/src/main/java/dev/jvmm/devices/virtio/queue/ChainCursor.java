package dev.jvmm.devices.virtio.queue;

import java.util.List;

/**
 * A position in a list of guest buffers seen as one byte stream; {@link ChainReader} and
 * {@link ChainWriter} move through a chain with it.
 */
final class ChainCursor {

    /** Copies {@code length} bytes between guest memory at {@code address} and the caller's array at {@code arrayOffset}. */
    @FunctionalInterface
    interface Copy {
        void copy(long address, int arrayOffset, int length);
    }

    private final List<GuestBuffer> buffers;
    private int buffer;
    private long offsetInBuffer;

    ChainCursor(List<GuestBuffer> buffers) {
        this.buffers = List.copyOf(buffers);
    }

    long totalLength() {
        long total = 0;
        for (GuestBuffer b : buffers) {
            total += b.length();
        }
        return total;
    }

    /** Moves {@code length} bytes from the cursor on, piece by piece across buffer boundaries; the caller checked they exist. */
    void transfer(int arrayOffset, int length, Copy copy) {
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
            copy.copy(current.address() + offsetInBuffer, arrayOffset + done, n);
            offsetInBuffer += n;
            done += n;
        }
    }
}
