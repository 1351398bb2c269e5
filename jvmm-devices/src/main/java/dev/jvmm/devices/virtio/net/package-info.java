/**
 * The network device (VIRTIO 1.2 §5.1): one receive and one transmit queue between the guest
 * and a {@link dev.jvmm.net.NetBackend}, a MAC address and link status in config space, and no
 * offloads, so frames are plain Ethernet with checksums the guest computed.
 */
package dev.jvmm.devices.virtio.net;
