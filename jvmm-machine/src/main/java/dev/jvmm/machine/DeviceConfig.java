package dev.jvmm.machine;

/**
 * One virtio device the user attached, in command-line order: device {@code n} of
 * {@link MachineConfig#devices()} takes virtio-mmio slot {@code n} ({@link VirtBoard#virtioBase},
 * PLIC source {@link VirtBoard#virtioIrq}), at most {@link VirtBoard#VIRTIO_SLOTS} in all.
 */
public sealed interface DeviceConfig permits DriveConfig, NetConfig, RngConfig, ConsoleConfig {

    /** Checks the fields; the message names the bad one in a single line. */
    void validate() throws MachineException;

    /** A short name for messages ({@code drive disk.img}, {@code virtio-rng}, ...). */
    String describe();
}
