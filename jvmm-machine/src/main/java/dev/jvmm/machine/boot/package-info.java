/**
 * Boot images: reading and recognising kernel, firmware and initrd files
 * ({@link dev.jvmm.machine.boot.ImageFiles}) and deciding where each goes in DRAM
 * ({@link dev.jvmm.machine.boot.BootLayout}), as QEMU's {@code virt} board does. Pure data
 * and arithmetic: nothing here touches a running machine.
 */
package dev.jvmm.machine.boot;
