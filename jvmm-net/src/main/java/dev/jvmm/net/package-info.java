/**
 * Network backends for virtual NICs: the {@link dev.jvmm.net.NetBackend} contract between a
 * NIC model (virtio-net) and whatever carries its Ethernet frames. Implementations live in
 * sub-packages ({@code user}: unprivileged user-mode networking). Knows nothing of guests,
 * devices or guest memory: it sees only whole Ethernet frames.
 */
package dev.jvmm.net;
