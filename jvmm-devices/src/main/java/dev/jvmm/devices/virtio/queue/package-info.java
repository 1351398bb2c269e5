/**
 * The split virtqueue (VIRTIO 1.2 §2.7) from the device side: ring configuration and checks,
 * popping descriptor chains (with indirect tables), the used ring, and interrupt and
 * notification suppression (flags or EVENT_IDX). Knows nothing of transports or device types.
 */
package dev.jvmm.devices.virtio.queue;
