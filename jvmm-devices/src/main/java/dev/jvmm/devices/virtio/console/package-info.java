/** The virtio console device: one port (hvc0) between guest and a host stream. */
package dev.jvmm.devices.virtio.console;
