/**
 * The virtio-mmio transport (VIRTIO 1.2 §4.2, version 2 only): registers, feature negotiation,
 * status and reset, and the interrupt line. Knows devices only through
 * {@link dev.jvmm.devices.virtio.VirtioDevice}.
 */
package dev.jvmm.devices.virtio.transport;
