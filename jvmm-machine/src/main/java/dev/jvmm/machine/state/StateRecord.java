package dev.jvmm.machine.state;

/**
 * One named, versioned component record.
 *
 * @param name    which component: {@code machine}, {@code hart.0}, {@code plic}, {@code virtio.2}, ...
 * @param version the layout version the component wrote
 * @param payload the component's bytes (see {@link dev.jvmm.memory.state.StateWriter})
 */
public record StateRecord(String name, int version, byte[] payload) {
}
