package dev.jvmm.machine;

import dev.jvmm.machine.boot.BootImage;

/**
 * How the harts start, decided from the configuration and the kind of kernel file (known only
 * once the file is read): see {@link MachineConfig#bootMode(BootImage)}.
 */
public enum BootMode {

    /**
     * A Linux {@code Image} (or ELF) kernel with M-mode firmware given by {@code --firmware}:
     * every hart enters the firmware in M-mode with a0 = hartid, a1 = device tree,
     * a2 = fw_dynamic_info, as QEMU's reset vector does.
     */
    FIRMWARE,

    /**
     * A Linux {@code Image} and no firmware: the built-in SBI stands in for M-mode; hart 0
     * enters the kernel in S-mode, the others wait for SBI HSM hart_start. A trap into M-mode
     * ends the run (nothing would handle it).
     */
    BUILTIN_SBI,

    /**
     * A bare ELF program (a test, a hand-written M-mode payload) and no firmware, as
     * {@code qemu -bios none -kernel prog.elf} or Spike run it: loaded at its own physical
     * addresses, every hart starts at its entry in M-mode with a0 = hartid and
     * a1 = device tree; no SBI. A {@code tohost} symbol in the ELF enables the HTIF mailbox.
     */
    BARE
}
