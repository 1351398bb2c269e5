package dev.jvmm.devices.virtio;

/**
 * What an active device may tell its driver, through whichever transport carries it. The
 * transport turns these into its own registers and interrupt line; implementations are safe
 * to call from any thread and never call back into the device.
 */
public interface VirtioInterrupt {

    /** The device has put buffers in a used ring (interrupt reason "used buffer"). */
    void signalUsedBuffers();

    /** The device configuration space changed (interrupt reason "configuration change"). */
    void signalConfigChange();

    /**
     * The driver broke the protocol (a malformed ring or descriptor chain): the transport sets
     * DEVICE_NEEDS_RESET and sends a configuration change notification. {@code reason} says
     * what the driver did, for the log.
     */
    void signalNeedsReset(String reason);
}
