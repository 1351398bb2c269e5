package dev.jvmm.devices.virtio.queue;

/**
 * The driver broke the virtqueue protocol (a ring outside RAM, a looping or malformed chain).
 * The device answers by setting DEVICE_NEEDS_RESET; this never leaves the device.
 */
public final class VirtqueueFault extends Exception {

    public VirtqueueFault(String message) {
        super(message, null, false, false);
    }
}
