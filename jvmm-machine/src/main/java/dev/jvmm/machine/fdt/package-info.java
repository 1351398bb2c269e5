/**
 * A small flattened-device-tree (DTB) writer: build {@link dev.jvmm.machine.fdt.FdtNode}s,
 * encode them with {@link dev.jvmm.machine.fdt.FdtWriter}. Knows nothing of boards; the
 * board decides what goes into the tree.
 */
package dev.jvmm.machine.fdt;
