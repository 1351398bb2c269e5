package dev.jvmm.devices.virtio;

/** Bits of the device status field (VIRTIO 1.2 §2.1). Writing 0 resets the device. */
public final class DeviceStatus {

    /** The guest OS has found the device and recognised it as a valid virtio device. */
    public static final int ACKNOWLEDGE = 1;
    /** The guest OS knows how to drive the device. */
    public static final int DRIVER = 2;
    /** The driver is set up and ready to drive the device. */
    public static final int DRIVER_OK = 4;
    /** The driver has acknowledged the features it understands; negotiation is complete. */
    public static final int FEATURES_OK = 8;
    /** The device has hit an error it cannot recover from without a reset. */
    public static final int DEVICE_NEEDS_RESET = 64;
    /** The guest has given up on the device. */
    public static final int FAILED = 128;

    private DeviceStatus() {
    }
}
