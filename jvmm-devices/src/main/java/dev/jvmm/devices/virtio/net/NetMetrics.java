package dev.jvmm.devices.virtio.net;

/**
 * Counters of a virtio-net device since it was created (resets do not clear them). Bytes are
 * Ethernet frame bytes, without the virtio header.
 *
 * @param rxFrames frames written into guest receive buffers
 * @param rxBytes bytes of those frames
 * @param rxDropped backend frames not delivered: malformed, arriving while the device was not
 *     active, pending at a reset, or too big for the receive buffer the guest offered
 * @param txFrames guest frames handed to the backend
 * @param txBytes bytes of those frames
 * @param txDropped guest frames not passed on: malformed, oversize, asking for an offload that
 *     was not negotiated, sent after close, or refused by the backend with an exception
 */
public record NetMetrics(long rxFrames, long rxBytes, long rxDropped, long txFrames, long txBytes, long txDropped) {
}
