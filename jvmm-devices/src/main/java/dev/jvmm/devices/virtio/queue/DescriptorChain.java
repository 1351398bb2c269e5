package dev.jvmm.devices.virtio.queue;

import java.util.List;

/**
 * A descriptor chain the driver made available, resolved (through an indirect table if any)
 * into the buffers the device reads and the buffers it writes, in ring order. Every buffer lies
 * in guest RAM, and all readable buffers come before all writable ones.
 *
 * @param headIndex the index of the head descriptor, which the device returns in the used ring
 */
public record DescriptorChain(int headIndex, List<GuestBuffer> readable, List<GuestBuffer> writable) {

    public DescriptorChain {
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
    }

    /** Total bytes of the device-readable buffers. */
    public long readableLength() {
        return total(readable);
    }

    /** Total bytes of the device-writable buffers. */
    public long writableLength() {
        return total(writable);
    }

    private static long total(List<GuestBuffer> buffers) {
        long sum = 0;
        for (GuestBuffer buffer : buffers) {
            sum += buffer.length();
        }
        return sum;
    }
}
