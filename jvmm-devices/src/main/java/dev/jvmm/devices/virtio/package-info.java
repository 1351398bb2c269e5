/**
 * Virtio devices (VIRTIO 1.2): the device contract and lifecycle shared by every device type,
 * the spec's device-independent constants, and sub-packages for the pieces.
 *
 * <h3>Shape</h3>
 * <ul>
 *   <li>{@link dev.jvmm.devices.virtio.VirtioDevice}: what a transport sees of a device (type,
 *       features, queues, config space, activate/reset, queue notifications);
 *       {@link dev.jvmm.devices.virtio.AbstractVirtioDevice} holds the shared plumbing.</li>
 *   <li>{@link dev.jvmm.devices.virtio.DeviceState}: Inactive, Active(memory, interrupt) or
 *       NeedsReset; only Active holds guest memory, so nothing touches guest RAM before
 *       DRIVER_OK or after a driver error.</li>
 *   <li>{@code queue}: the split virtqueue and descriptor chains; {@code transport}: the
 *       virtio-mmio register window; {@code blk}, {@code rng}, {@code console}: devices.</li>
 * </ul>
 *
 * <h3>Hostile drivers</h3>
 * Every address, index, length and flag the driver writes is checked before use, and every
 * guest memory access goes through {@link dev.jvmm.memory.GuestMemory}'s bounds-checked
 * accessors. A broken ring or chain moves the device to NeedsReset (DEVICE_NEEDS_RESET plus a
 * configuration change interrupt); a bad request a device understands is answered with the
 * device's error status. Nothing the guest does throws out of a device.
 *
 * <h3>Threads</h3>
 * Requests run on the hart thread that wrote QueueNotify; host input (the console, network
 * frames) arrives on its own thread. Each device serialises on its own lock; the transport
 * never holds its register lock while calling into a device's queue processing. Moving backend
 * I/O to virtual threads later means completing chains from those threads under the same lock.
 * {@link dev.jvmm.devices.virtio.VirtioDevice#quiesce()} holds back-end threads off while the
 * machine is paused: console input waits, network frames are dropped.
 *
 * <h3>Snapshots and migration</h3>
 * A virtio-mmio slot is one {@link dev.jvmm.memory.state.Stateful}, its
 * {@link dev.jvmm.devices.virtio.transport.MmioTransport}; the transport's record nests the
 * device's (lifecycle, accepted features, each queue's configuration and ring positions, and
 * device-specific state), which the transport checks against its own before either is applied
 * ({@link dev.jvmm.devices.virtio.PreparedRestore}). A restored active device continues with
 * the next avail entry the driver posts; restoring never touches guest RAM.
 *
 * <p>Knows nothing of CPUs, the board's memory map or what is at the end of an interrupt line.
 */
package dev.jvmm.devices.virtio;
