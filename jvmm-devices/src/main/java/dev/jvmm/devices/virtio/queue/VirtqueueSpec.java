package dev.jvmm.devices.virtio.queue;

/** Split virtqueue layout constants (VIRTIO 1.2 §2.7), with the spec's names. */
public final class VirtqueueSpec {

    /** This descriptor continues via the {@code next} field. */
    public static final int VIRTQ_DESC_F_NEXT = 1;
    /** The buffer is device write-only (otherwise device read-only). */
    public static final int VIRTQ_DESC_F_WRITE = 2;
    /** The buffer holds a table of indirect descriptors. */
    public static final int VIRTQ_DESC_F_INDIRECT = 4;

    /** In the avail ring's flags: the driver asks for no used-buffer interrupts (no EVENT_IDX). */
    public static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
    /** In the used ring's flags: the device asks for no notifications (no EVENT_IDX). */
    public static final int VIRTQ_USED_F_NO_NOTIFY = 1;

    /** Bytes per descriptor: addr le64, len le32, flags le16, next le16. */
    public static final int DESCRIPTOR_SIZE = 16;
    /** Bytes per used element: id le32, len le32. */
    public static final int USED_ELEMENT_SIZE = 8;

    /** Required alignment of the descriptor table, the avail (driver) and used (device) rings. */
    public static final int DESCRIPTOR_TABLE_ALIGN = 16;
    public static final int AVAIL_RING_ALIGN = 2;
    public static final int USED_RING_ALIGN = 4;

    /** The largest queue size a split virtqueue can have. */
    public static final int MAX_QUEUE_SIZE = 32768;

    /** Bytes of the descriptor table for a queue of {@code size} entries. */
    public static long descriptorTableSize(int size) {
        return (long) DESCRIPTOR_SIZE * size;
    }

    /** Bytes of the avail ring: flags, idx, ring[size], used_event. */
    public static long availRingSize(int size) {
        return 6 + 2L * size;
    }

    /** Bytes of the used ring: flags, idx, ring[size], avail_event. */
    public static long usedRingSize(int size) {
        return 6 + (long) USED_ELEMENT_SIZE * size;
    }

    private VirtqueueSpec() {
    }
}
