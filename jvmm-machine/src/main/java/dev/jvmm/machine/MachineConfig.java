package dev.jvmm.machine;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.machine.boot.BootImage;
import dev.jvmm.memory.GuestMemory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the user asked for, validated at the edge: the board is built from this.
 *
 * @param kernel      the kernel: a RISC-V Linux {@code Image}, or an ELF64 RISC-V executable
 *                    (without firmware, an ELF runs bare in M-mode: see {@link BootMode#BARE})
 * @param initrd      an initramfs to place in RAM, if any
 * @param append      the kernel command line
 * @param memoryBytes DRAM size
 * @param firmware    empty for the built-in SBI; else an M-mode firmware binary (OpenSBI fw_jump/fw_dynamic)
 * @param harts       number of harts (1 for now)
 * @param devices     virtio devices, in slot order from slot 0 (at most {@link VirtBoard#VIRTIO_SLOTS})
 * @param engine      how every hart runs guest code: the interpreter (the reference) or the translator tier
 */
public record MachineConfig(Path kernel, Optional<Path> initrd, String append, long memoryBytes,
                            Optional<Path> firmware, int harts, List<DeviceConfig> devices, Engine engine) {

    public MachineConfig {
        // A copy that keeps null entries, so that validate() can name them instead of a constructor NPE.
        devices = devices == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(devices));
    }

    /** A board whose harts run on the interpreter. */
    public MachineConfig(Path kernel, Optional<Path> initrd, String append, long memoryBytes,
                         Optional<Path> firmware, int harts, List<DeviceConfig> devices) {
        this(kernel, initrd, append, memoryBytes, firmware, harts, devices, Engine.INTERPRETER);
    }

    /** A board without virtio devices, its harts on the interpreter. */
    public MachineConfig(Path kernel, Optional<Path> initrd, String append, long memoryBytes,
                         Optional<Path> firmware, int harts) {
        this(kernel, initrd, append, memoryBytes, firmware, harts, List.of());
    }

    /** Smallest DRAM accepted (the images must fit in it too, which the loader checks). */
    public static final long MIN_MEMORY = 16L << 20;
    /** Largest DRAM accepted: up to the end of the 40-bit physical space the board leaves for DRAM. */
    public static final long MAX_MEMORY = (1L << 40) - VirtBoard.DRAM_BASE;

    /** Checks every field; the message names the bad one in a single line. */
    public void validate() throws MachineException {
        if (kernel == null) {
            throw new MachineException("no kernel given");
        }
        if (initrd == null || firmware == null) {
            throw new MachineException("initrd and firmware must be given as Optional values, not null");
        }
        if (append == null) {
            throw new MachineException("kernel command line must not be null (use an empty string)");
        }
        if (append.indexOf('\0') >= 0) {
            throw new MachineException("kernel command line contains a NUL character");
        }
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY) {
            throw new MachineException("memory size %d bytes out of range (%d MiB to %d GiB)"
                    .formatted(memoryBytes, MIN_MEMORY >> 20, MAX_MEMORY >> 30));
        }
        if (memoryBytes % GuestMemory.PAGE_SIZE != 0) {
            throw new MachineException("memory size must be a multiple of 4 KiB: " + memoryBytes + " bytes");
        }
        if (harts < 1 || harts > VirtBoard.MAX_HARTS) {
            throw new MachineException("hart count %d out of range (1 to %d)".formatted(harts, VirtBoard.MAX_HARTS));
        }
        if (engine == null) {
            throw new MachineException("execution engine must not be null");
        }
        if (devices == null) {
            throw new MachineException("device list must not be null (use an empty list)");
        }
        if (devices.size() > VirtBoard.VIRTIO_SLOTS) {
            throw new MachineException("too many virtio devices: %d (the board has %d virtio-mmio slots)"
                    .formatted(devices.size(), VirtBoard.VIRTIO_SLOTS));
        }
        for (DeviceConfig device : devices) {
            if (device == null) {
                throw new MachineException("device list contains null");
            }
            device.validate();
        }
    }

    /**
     * Whether no firmware was given. Then a Linux {@code Image} runs on the built-in SBI and
     * an ELF kernel runs bare; {@link #bootMode(BootImage)} tells which.
     */
    public boolean usesBuiltinSbi() {
        return firmware.isEmpty();
    }

    /**
     * How the harts start with this configuration and the given (already read) kernel:
     * firmware if {@code --firmware} was given, else bare for an ELF kernel and the
     * built-in SBI for a Linux {@code Image}.
     */
    public BootMode bootMode(BootImage kernel) {
        if (firmware.isPresent()) {
            return BootMode.FIRMWARE;
        }
        return kernel instanceof BootImage.Elf ? BootMode.BARE : BootMode.BUILTIN_SBI;
    }
}
