package dev.jvmm.devices.virtio.queue;

/**
 * One buffer a descriptor names: {@code length} bytes of guest RAM from {@code address}. A
 * buffer inside a {@link DescriptorChain} has been checked to lie wholly in guest RAM.
 */
public record GuestBuffer(long address, long length) {
}
