package dev.jvmm.devices.virtio;

import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.util.List;

/**
 * A virtio device as a transport sees it (VIRTIO 1.2 §2, §3): a type, features, queues, a byte
 * config space and a lifecycle. The transport owns the registers and the negotiation protocol;
 * the device owns what the features mean and what its queues carry.
 *
 * <p>Contract: nothing here throws because of what the guest did. A device touches guest
 * memory only between {@link #activate} and {@link #reset}. Implementations are thread-safe:
 * hart threads and host back-end threads may call in at once.
 *
 * <p>Snapshots and migration: the device's record ({@link #saveState}) holds its lifecycle,
 * accepted features, every queue's configuration and position, and what the device type keeps
 * of its own (e.g. console input not yet delivered). It is carried inside its transport's
 * record; the transport restores it with {@link #prepareRestore}, because an active device
 * needs the transport's memory and interrupt. Guest-visible state only: host back ends, their
 * buffers of network frames and the configuration the device was built with are not in it.
 *
 * <p>Back-end threads (console input, network frames) are held off by {@link #quiesce()}: after
 * it returns, no back-end thread writes guest RAM or changes the device's state until
 * {@link #unquiesce()}. Hart threads are not held off; the machine pauses those itself.
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

    /** The version of the record {@link #saveState} writes. */
    int stateVersion();

    /** Writes the device's record; call while the machine is paused. */
    void saveState(StateWriter out);

    /**
     * Reads and checks a record of version {@code version} written by a device of the same type
     * and configuration (its queue sizes and offered features), without changing the device.
     * The prepared restore activates the device, if the record says it was active, with
     * {@code memory} and {@code interrupt}, and without touching guest memory: the device goes
     * on with the next avail entry when the driver next notifies it. Every configuration of a
     * ready queue of an active device is checked against {@code memory}.
     */
    PreparedRestore prepareRestore(StateReader in, int version, GuestMemory memory, VirtioInterrupt interrupt)
            throws StateException;

    /**
     * Holds off the back ends: waits until no back-end thread is delivering into the device,
     * and from then on keeps them from writing guest RAM or changing the device's state (input
     * is held back, or for the network dropped) until {@link #unquiesce()}. Idempotent.
     */
    void quiesce();

    /** Lets the back ends deliver again, and delivers what was held back. Idempotent. */
    void unquiesce();
}
