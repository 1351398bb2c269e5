/**
 * The virtio block device over a {@link dev.jvmm.storage.BlockBackend}: request parsing into a
 * typed {@link dev.jvmm.devices.virtio.blk.BlockRequest} and its execution. Knows nothing of
 * image formats or transports.
 */
package dev.jvmm.devices.virtio.blk;
