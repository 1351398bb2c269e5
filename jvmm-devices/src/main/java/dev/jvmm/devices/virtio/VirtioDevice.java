package dev.jvmm.devices.virtio;

import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.memory.GuestMemory;
import java.util.List;

/**
 * A virtio device as a transport sees it (VIRTIO 1.2 §2, §3): a type, features, queues, a byte
 * config space and a lifecycle. The transport owns the registers and the negotiation protocol;
 * the device owns what the features mean and what its queues carry.
 *
 * <p>Contract: nothing here throws because of what the guest did. A device touches guest
 * memory only between {@link #activate} and {@link #reset}. Implementations are thread-safe:
 * hart threads and host back-end threads may call in at once.
 */
public interface VirtioDevice {

    /** The device type, one of {@link VirtioIds}. */
    int deviceType();

    /** Every feature bit the device offers, VIRTIO_F_VERSION_1 included. */
    long offeredFeatures();

    /** The features the driver accepted (a subset of the offered ones); 0 after reset. */
    long ackedFeatures();

    /** Records the driver's accepted features; bits the device never offered are dropped. */
    void ackFeatures(long features);

    /**
     * The device's queues, in spec order. The transport configures them (size, addresses,
     * ready) before activation; their number and {@link SplitQueue#maxSize()} are fixed.
     */
    List<SplitQueue> queues();

    /** Bytes of device configuration space. */
    int configSize();

    /** Copies config space from {@code offset} into {@code dst}; bytes past the end read 0. */
    void readConfig(int offset, byte[] dst);

    /** A driver write to config space; fields the driver may not write are ignored. */
    void writeConfig(int offset, byte[] src);

    /** DRIVER_OK: the device may now use {@code memory} and raise {@code interrupt}. */
    void activate(GuestMemory memory, VirtioInterrupt interrupt);

    /** The lifecycle state: inactive, active, or waiting for a reset after a driver error. */
    DeviceState state();

    /** Device reset: back to inactive, acked features cleared, queues reset. */
    void reset();

    /** The driver notified queue {@code index} (QueueNotify). Ignored unless active. */
    void queueNotified(int index);
}
