package dev.jvmm.machine;

/**
 * QEMU's {@code virt} board: the physical memory map and PLIC interrupt numbers, so that
 * software built for QEMU runs unchanged. {@link VirtMachine} maps devices at these
 * addresses and {@link VirtDeviceTree} describes them from the same constants.
 */
public final class VirtBoard {

    /** "sifive,test" finisher / syscon: poweroff 0x5555, reboot 0x7777. */
    public static final long TEST_BASE = 0x0010_0000L;
    public static final long TEST_SIZE = 0x1000L;

    public static final long RTC_BASE = 0x0010_1000L;
    public static final long RTC_SIZE = 0x1000L;
    public static final int RTC_IRQ = 11;

    public static final long CLINT_BASE = 0x0200_0000L;
    public static final long CLINT_SIZE = 0x1_0000L;

    public static final long PLIC_BASE = 0x0c00_0000L;
    public static final long PLIC_SIZE = 0x60_0000L;
    /** Highest PLIC source number ({@code riscv,ndev}): sources 1..95. */
    public static final int PLIC_NDEV = 95;

    public static final long UART0_BASE = 0x1000_0000L;
    public static final long UART0_SIZE = 0x100L;
    public static final int UART0_IRQ = 10;
    /** The 16550's input clock as QEMU declares it (3.6864 MHz). */
    public static final int UART0_CLOCK_HZ = 0x38_4000;

    public static final long VIRTIO_BASE = 0x1000_1000L;
    public static final long VIRTIO_SIZE = 0x1000L;
    public static final int VIRTIO_SLOTS = 8;
    public static final int VIRTIO_IRQ_BASE = 1;

    public static final long DRAM_BASE = 0x8000_0000L;

    /** Where a Linux {@code Image} goes: DRAM + 2 MiB (the RV64 kernel's alignment). */
    public static final long KERNEL_ALIGN = 2L << 20;

    /** 10 MHz, as QEMU's. */
    public static final long TIMEBASE_HZ = 10_000_000L;

    /** Harts this board supports: the PLIC's 0x600000 window holds 1024 contexts, two per hart. */
    public static final int MAX_HARTS = 512;

    private VirtBoard() {
    }

    /** Base address of virtio-mmio slot {@code n}. */
    public static long virtioBase(int slot) {
        checkSlot(slot);
        return VIRTIO_BASE + slot * VIRTIO_SIZE;
    }

    /** PLIC source of virtio-mmio slot {@code n}. */
    public static int virtioIrq(int slot) {
        checkSlot(slot);
        return VIRTIO_IRQ_BASE + slot;
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= VIRTIO_SLOTS) {
            throw new IllegalArgumentException("virtio-mmio slot out of range: " + slot);
        }
    }
}
