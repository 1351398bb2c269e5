package dev.jvmm.devices.virtio;

import static dev.jvmm.devices.virtio.queue.VirtqueueSpec.*;

import dev.jvmm.devices.virtio.queue.VirtqueueSpec;
import dev.jvmm.memory.GuestMemory;

/**
 * The driver side of a split virtqueue, for tests: lays out the descriptor table and rings in
 * guest memory the way a driver would, writes chains, publishes them and reads the used ring.
 * Descriptor slots are handed out round-robin, so tests must not keep more than {@code size}
 * descriptors in flight.
 */
public final class VirtqueueDriver {

    /** One buffer of a chain, as the driver describes it. */
    public record Segment(long address, int length, boolean writable) {
        public static Segment readable(long address, int length) {
            return new Segment(address, length, false);
        }

        public static Segment writable(long address, int length) {
            return new Segment(address, length, true);
        }
    }

    /** One used ring element. */
    public record Used(int id, int length) {
    }

    private final GuestMemory memory;
    private final int size;
    private final long descriptorTable;
    private final long availRing;
    private final long usedRing;
    private int nextDescriptor;
    private int availIdx;

    public VirtqueueDriver(GuestMemory memory, int size, long descriptorTable, long availRing, long usedRing) {
        this.memory = memory;
        this.size = size;
        this.descriptorTable = descriptorTable;
        this.availRing = availRing;
        this.usedRing = usedRing;
    }

    /** A queue of {@code size} entries laid out contiguously from {@code base} (16-aligned). */
    public static VirtqueueDriver layout(GuestMemory memory, long base, int size) {
        long desc = base;
        long avail = desc + VirtqueueSpec.descriptorTableSize(size);
        long used = align(avail + VirtqueueSpec.availRingSize(size), 4);
        return new VirtqueueDriver(memory, size, desc, avail, used);
    }

    /** Bytes {@link #layout} uses for a queue of {@code size}. */
    public static long footprint(int size) {
        long avail = VirtqueueSpec.descriptorTableSize(size);
        return align(avail + VirtqueueSpec.availRingSize(size), 4) + VirtqueueSpec.usedRingSize(size);
    }

    private static long align(long value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }

    public int size() {
        return size;
    }

    public long descriptorTable() {
        return descriptorTable;
    }

    public long availRing() {
        return availRing;
    }

    public long usedRing() {
        return usedRing;
    }

    /** Writes descriptor {@code index} of the main table. */
    public void writeDescriptor(int index, long address, int length, int flags, int next) {
        writeDescriptorAt(descriptorTable + 16L * index, address, length, flags, next);
    }

    private void writeDescriptorAt(long at, long address, int length, int flags, int next) {
        memory.writeLong(at, address);
        memory.writeInt(at + 8, length);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
    }

    /** Writes {@code segments} as a chain in the main table and publishes it; returns the head. */
    public int addChain(Segment... segments) {
        int head = nextDescriptor;
        for (int i = 0; i < segments.length; i++) {
            int index = nextDescriptor;
            nextDescriptor = (nextDescriptor + 1) % size;
            boolean last = i == segments.length - 1;
            Segment s = segments[i];
            int flags = (s.writable() ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT);
            writeDescriptor(index, s.address(), s.length(), flags, last ? 0 : nextDescriptor);
        }
        publish(head);
        return head;
    }

    /** Writes {@code segments} as an indirect table at {@code table} and publishes one descriptor naming it. */
    public int addIndirectChain(long table, Segment... segments) {
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            Segment s = segments[i];
            int flags = (s.writable() ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT);
            writeDescriptorAt(table + 16L * i, s.address(), s.length(), flags, last ? 0 : i + 1);
        }
        int head = nextDescriptor;
        nextDescriptor = (nextDescriptor + 1) % size;
        writeDescriptor(head, table, 16 * segments.length, VIRTQ_DESC_F_INDIRECT, 0);
        publish(head);
        return head;
    }

    /** Puts {@code head} in the next avail ring slot and advances the avail index. */
    public void publish(int head) {
        memory.writeShort(availRing + 4 + 2L * (availIdx % size), (short) head);
        setAvailIdx(availIdx + 1);
    }

    public int availIdx() {
        return availIdx;
    }

    public void setAvailIdx(int idx) {
        availIdx = idx & 0xFFFF;
        memory.writeShort(availRing + 2, (short) availIdx);
    }

    public void setAvailFlags(int flags) {
        memory.writeShort(availRing, (short) flags);
    }

    /** Sets used_event: the used index after which the driver wants the next interrupt. */
    public void setUsedEvent(int idx) {
        memory.writeShort(availRing + 4 + 2L * size, (short) idx);
    }

    /** avail_event as the device last wrote it. */
    public int availEvent() {
        return Short.toUnsignedInt(memory.readShort(usedRing + 4 + 8L * size));
    }

    public int usedIdx() {
        return Short.toUnsignedInt(memory.readShort(usedRing + 2));
    }

    /** The used element for used index {@code i} (mod size). */
    public Used used(int i) {
        long at = usedRing + 4 + 8L * (i % size);
        return new Used(memory.readInt(at), memory.readInt(at + 4));
    }
}
