/**
 * Guest images: Debian's riscv64 kernel and busybox, fetched with the host's own apt from the
 * host's own package sources, unpacked in Java, and turned into a kernel {@code Image} plus a
 * newc initramfs kept (with SHA-256 sums) in the user cache.
 *
 * <p>Knows nothing of machines, CPUs or devices: it only produces files that a machine boots.
 */
package dev.jvmm.image;
