/** The virtio entropy device, fed from the host's SecureRandom. */
package dev.jvmm.devices.virtio.rng;
