package dev.jvmm.devices.virtio;

/**
 * Device-independent feature bits (VIRTIO 1.2 §6, "Reserved Feature Bits"), as bit numbers.
 * Use {@link #bit(int)} to turn one into a mask.
 */
public final class VirtioFeatures {

    /** The driver may use descriptors with VIRTQ_DESC_F_INDIRECT (§2.7.5.3). */
    public static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    /** used_event / avail_event suppress interrupts and notifications (§2.7.7, §2.7.10). */
    public static final int VIRTIO_RING_F_EVENT_IDX = 29;
    /** Compliance with VIRTIO 1.0 or later; jvmm offers only modern devices. */
    public static final int VIRTIO_F_VERSION_1 = 32;
    public static final int VIRTIO_F_ACCESS_PLATFORM = 33;
    public static final int VIRTIO_F_RING_PACKED = 34;
    public static final int VIRTIO_F_IN_ORDER = 35;
    public static final int VIRTIO_F_ORDER_PLATFORM = 36;
    public static final int VIRTIO_F_SR_IOV = 37;
    public static final int VIRTIO_F_NOTIFICATION_DATA = 38;
    public static final int VIRTIO_F_NOTIF_CONFIG_DATA = 39;
    public static final int VIRTIO_F_RING_RESET = 40;

    /** The ring features every jvmm device offers, plus VERSION_1. */
    public static final long COMMON = bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_RING_F_INDIRECT_DESC)
            | bit(VIRTIO_RING_F_EVENT_IDX);

    /** The mask of feature bit {@code number} (0..63). */
    public static long bit(int number) {
        return 1L << number;
    }

    /** Whether {@code features} has feature bit {@code number}. */
    public static boolean has(long features, int number) {
        return (features & bit(number)) != 0;
    }

    private VirtioFeatures() {
    }
}
