package dev.jvmm.machine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the user asked for, validated at the edge: the board is built from this.
 *
 * @param kernel      the kernel: a RISC-V Linux {@code Image} (or, later, a bare ELF)
 * @param initrd      an initramfs to place in RAM, if any
 * @param append      the kernel command line
 * @param memoryBytes DRAM size
 * @param firmware    empty for the built-in SBI; else an M-mode firmware binary (OpenSBI fw_jump/fw_dynamic)
 * @param harts       number of harts (1 for now)
 */
public record MachineConfig(Path kernel, Optional<Path> initrd, String append, long memoryBytes,
                            Optional<Path> firmware, int harts) {
}
